package health.vclinic.api.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import health.vclinic.api.http.RequestBodies;
import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.HttpErrors;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * SMART Backend Services (HL7 SMART App Launch 2.x, "Backend Services" and "Client Authentication:
 * Asymmetric"): a clinic's backend gets a vclinic access token with the OAuth 2.0 client credentials
 * grant, authenticating with a JWT client assertion ({@code private_key_jwt}, RFC 7523 §2.2) signed by
 * one of its registered keys ({@link ClinicRegistry}).
 *
 * <p>{@code POST /oauth2/token}, {@code application/x-www-form-urlencoded}, with {@code grant_type=client_credentials},
 * {@code client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer}, {@code client_assertion}
 * and {@code scope} (space-separated, {@link SmartScopes}). The assertion is accepted when:
 * <ul>
 *   <li>its header has {@code alg} RS384 or ES384 (SMART's required pair) or RS256 / ES256
 *       ({@link ClientKeys#ALGORITHMS}; never {@code none} or HMAC), the {@code kid} of one of the client's
 *       registered keys, {@code typ} {@code JWT} or none, and no {@code jku} (keys are registered, never
 *       fetched);</li>
 *   <li>it verifies with that key;</li>
 *   <li>{@code iss} and {@code sub} are both the client id of an active client of an active clinic (a
 *       {@code client_id} parameter, when sent, is the same);</li>
 *   <li>{@code aud} contains the token endpoint's URL exactly: {@code --public-url} + {@code /oauth2/token}
 *       when the server has one; without it only a loopback URL taken from the request's Host
 *       ({@code http://127.0.0.1:PORT/oauth2/token}, {@code localhost}, {@code [::1]}), since a Host header
 *       is the caller's to choose;</li>
 *   <li>{@code exp} is in the future and at most five minutes ahead, and at most five minutes after
 *       {@code iat} when present ({@value #SKEW_SECONDS} s of clock skew allowed either way);
 *       {@code nbf}, when present, has passed;</li>
 *   <li>its {@code jti} has not been seen before ({@link AssertionReplayCache}).</li>
 * </ul>
 *
 * <p>Answer: {@code {"access_token", "token_type": "bearer", "expires_in": 300, "scope"}}, a vclinic access
 * token ({@link AccessTokens}) of role {@code backend}, the client's clinic and {@code sub} the client id,
 * with {@code Cache-Control: no-store}. Refusals are RFC 6749 §5.2 JSON: {@code invalid_request},
 * {@code unsupported_grant_type}, {@code invalid_scope} (400) and {@code invalid_client} (401) for every
 * failed client authentication, a replayed {@code jti} included (SMART: "the server SHALL respond with an
 * {@code invalid_client} error"). A refusal names what is wrong and never echoes the assertion.
 *
 * <p>{@code GET /.well-known/smart-configuration} is the discovery document (SMART App Launch §Conformance).
 */
public final class TokenEndpoint {

    public static final String PATH = "/oauth2/token";
    public static final String DISCOVERY = "/.well-known/smart-configuration";
    public static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    /** Longest accepted client assertion lifetime (SMART: exp "no more than five minutes in the future"). */
    public static final Duration MAX_ASSERTION_LIFETIME = Duration.ofMinutes(5);
    static final int SKEW_SECONDS = 30;
    private static final Duration SKEW = Duration.ofSeconds(SKEW_SECONDS);
    static final int MAX_BODY_BYTES = 16 * 1024;
    static final int MAX_ASSERTION_CHARS = 8 * 1024;
    private static final Duration BODY_DEADLINE = Duration.ofSeconds(10);
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final Set<String> PARAMETERS = Set.of("grant_type", "client_assertion_type", "client_assertion",
            "scope", "client_id");
    private static final Pattern LOOPBACK = Pattern.compile("(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]{1,5})?");
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /** The token response (RFC 6749 §5.1). */
    record Granted(String accessToken, String tokenType, long expiresIn, String scope) {
    }

    /** An error response (RFC 6749 §5.2). */
    record Refused(String error, String errorDescription) {
    }

    /** The discovery document's fields that apply to a backend-services-only server. */
    record SmartConfiguration(String tokenEndpoint, List<String> tokenEndpointAuthMethodsSupported,
                              List<String> tokenEndpointAuthSigningAlgValuesSupported,
                              List<String> grantTypesSupported, List<String> scopesSupported,
                              List<String> capabilities, String jwksUri) {
    }

    /** A refused token request: its RFC 6749 error code, the HTTP status and what to fix. */
    static final class Refusal extends RuntimeException {
        final String error;
        final int status;

        Refusal(String error, int status, String description) {
            super(description, null, false, false);
            this.error = error;
            this.status = status;
        }
    }

    private final AccessTokens tokens;
    private final ClinicRegistry registry;
    private final Optional<URI> publicUrl;
    private final Denials denials;
    private final Clock clock;
    private final AssertionReplayCache replays = new AssertionReplayCache();

    /**
     * @param publicUrl the service's external base URL ({@code --public-url}); empty: loopback only
     * @param denials told of every failed client authentication (the audit trail)
     */
    public TokenEndpoint(AccessTokens tokens, ClinicRegistry registry, Optional<URI> publicUrl, Denials denials,
                         Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.publicUrl = Objects.requireNonNull(publicUrl, "publicUrl");
        this.denials = Objects.requireNonNull(denials, "denials");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Registers {@code POST /oauth2/token} and {@code GET /.well-known/smart-configuration}. */
    public void routes(HttpRouting.Builder routing) {
        routing.post(PATH, this::token).get(DISCOVERY, this::discovery);
    }

    private void token(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.PRAGMA, "no-cache");
        try {
            Map<String, String> form = form(req, res);
            Optional<String> audience = baseUrl(req).map(b -> b + PATH);
            send(res, Status.OK_200, grant(form, audience));
        } catch (Refusal r) {
            if (r.status == 401) {
                denials.denied(Optional.empty(), "POST " + PATH, Denials.Outcome.UNAUTHENTICATED);
            }
            send(res, Status.create(r.status), new Refused(r.error, r.getMessage()));
        } catch (ClinicRegistry.UnavailableException e) {
            send(res, Status.SERVICE_UNAVAILABLE_503, new Refused("temporarily_unavailable",
                    "the client registry is unavailable; retry shortly"));
        }
    }

    /** The token response for a parsed request whose token endpoint URL is {@code audience}. */
    Granted grant(Map<String, String> form, Optional<String> audience) {
        String grantType = required(form, "grant_type");
        if (!"client_credentials".equals(grantType)) {
            throw new Refusal("unsupported_grant_type", 400, "grant_type must be client_credentials (SMART Backend"
                    + " Services)");
        }
        if (!ASSERTION_TYPE.equals(required(form, "client_assertion_type"))) {
            throw invalidRequest("client_assertion_type must be " + ASSERTION_TYPE);
        }
        String assertion = required(form, "client_assertion");
        String scope = required(form, "scope");
        if (assertion.length() > MAX_ASSERTION_CHARS) {
            throw invalidRequest("client_assertion is longer than " + MAX_ASSERTION_CHARS + " characters");
        }
        Instant now = clock.instant();
        SignedJWT jwt = signed(assertion);
        JWTClaimsSet claims = claims(jwt);
        String clientId = claims.getSubject();
        if (claims.getIssuer() == null || !claims.getIssuer().equals(clientId)) {
            throw invalidClient("client_assertion's iss and sub must both be the client id");
        }
        if (form.containsKey("client_id") && !form.get("client_id").equals(clientId)) {
            throw invalidClient("client_id must be the client_assertion's iss and sub");
        }
        ClinicRegistry.Client client = registry.client(clientId)
                .orElseThrow(() -> invalidClient("no client with the client_assertion's iss is registered"));
        if (!client.active()) {
            throw invalidClient("the client or its clinic is disabled");
        }
        verify(jwt, client);
        checkAudience(claims, audience);
        Instant expires = checkTimes(claims, now);
        List<String> granted;
        try {
            granted = SmartScopes.grant(scope, client.allowedScopes());
        } catch (IllegalArgumentException e) {
            throw new Refusal("invalid_scope", 400, e.getMessage());
        }
        if (granted.isEmpty()) {
            throw new Refusal("invalid_scope", 400, "none of the requested scopes may be granted to this client;"
                    + " it is registered for " + SmartScopes.SUPPORTED.stream()
                    .filter(client.allowedScopes()::contains).toList());
        }
        String jti = claims.getJWTID();
        if (jti == null || jti.isEmpty() || jti.length() > 256) {
            throw invalidClient("client_assertion needs a jti (a unique id, at most 256 characters)");
        }
        switch (replays.firstUse(clientId, jti, expires.plus(SKEW), now)) {
            case REPLAYED -> throw invalidClient("this client_assertion's jti was used before; sign a new assertion"
                    + " with a fresh jti for every token request");
            case FULL -> throw new Refusal("temporarily_unavailable", 503, "too many token requests; retry shortly");
            case FIRST -> { }
        }
        String token = tokens.issue(client.clinic(), Role.BACKEND, client.id(), AccessTokens.BACKEND_TTL, granted);
        return new Granted(token, "bearer", AccessTokens.BACKEND_TTL.toSeconds(), String.join(" ", granted));
    }

    private static SignedJWT signed(String assertion) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(assertion);
        } catch (ParseException e) {
            throw invalidClient("client_assertion is not a JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw invalidClient("client_assertion must be signed (JWS) with one of " + algorithms());
        }
        JWSHeader h = signed.getHeader();
        if (!ClientKeys.ALGORITHMS.contains(h.getAlgorithm())) {
            throw invalidClient("client_assertion must be signed with one of " + algorithms());
        }
        if (h.getType() != null && !"JWT".equalsIgnoreCase(h.getType().getType())) {
            throw invalidClient("client_assertion's typ must be JWT or absent");
        }
        if (h.getJWKURL() != null) {
            throw invalidClient("client_assertion's jku is not supported: the client's keys are registered with"
                    + " vclinic (admin client create --jwks), never fetched");
        }
        if (h.getKeyID() == null || h.getKeyID().isEmpty()) {
            throw invalidClient("client_assertion's header needs the kid of one of the client's registered keys");
        }
        return signed;
    }

    private static JWTClaimsSet claims(SignedJWT jwt) {
        try {
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw invalidClient("client_assertion's claims are not a JSON object of JWT claims");
        }
    }

    private static void verify(SignedJWT jwt, ClinicRegistry.Client client) {
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        JWK key = client.keys().key(jwt.getHeader().getKeyID())
                .orElseThrow(() -> invalidClient("no key with the client_assertion's kid is registered for this client"));
        if (!ClientKeys.fits(key, alg)) {
            throw invalidClient("the registered key named by kid does not make " + alg.getName() + " signatures");
        }
        try {
            JWSVerifier verifier = switch (key) {
                case RSAKey rsa -> new RSASSAVerifier(rsa);
                case ECKey ec -> new ECDSAVerifier(ec);
                default -> throw new JOSEException("no verifier for " + key.getKeyType());
            };
            if (!jwt.verify(verifier)) {
                throw invalidClient("client_assertion's signature does not verify with the registered key named by"
                        + " kid");
            }
        } catch (JOSEException e) {
            throw invalidClient("client_assertion's signature does not verify with the registered key named by kid");
        }
    }

    private static void checkAudience(JWTClaimsSet claims, Optional<String> audience) {
        String expected = audience.orElseThrow(() -> invalidClient("this server was started without --public-url,"
                + " so it takes client assertions only on a loopback address (http://127.0.0.1:PORT" + PATH + ")"));
        if (claims.getAudience() == null || !claims.getAudience().contains(expected)) {
            throw invalidClient("client_assertion's aud must be this token endpoint's URL, " + expected);
        }
    }

    /** The assertion's expiry, checked against SMART's five-minute limit. */
    private static Instant checkTimes(JWTClaimsSet claims, Instant now) {
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw invalidClient("client_assertion needs exp (at most 5 minutes from now)");
        }
        Instant expires = exp.toInstant();
        if (!expires.isAfter(now.minus(SKEW))) {
            throw invalidClient("client_assertion has expired; sign a new one");
        }
        if (expires.isAfter(now.plus(MAX_ASSERTION_LIFETIME).plus(SKEW))) {
            throw invalidClient("client_assertion's exp must be at most 5 minutes from now");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && (iat.toInstant().isAfter(now.plus(SKEW))
                || Duration.between(iat.toInstant(), expires).compareTo(MAX_ASSERTION_LIFETIME) > 0)) {
            throw invalidClient("client_assertion's iat must not be in the future and exp at most 5 minutes after it");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().isAfter(now.plus(SKEW))) {
            throw invalidClient("client_assertion is not valid yet (nbf)");
        }
        return expires;
    }

    private void discovery(ServerRequest req, ServerResponse res) {
        Optional<String> base = baseUrl(req);
        if (base.isEmpty()) {
            HttpErrors.send(res, ApiError.of(ApiError.Kind.NOT_FOUND, "SMART discovery on a non-loopback address"
                    + " needs the server's --public-url"));
            return;
        }
        send(res, Status.OK_200, new SmartConfiguration(base.get() + PATH, List.of("private_key_jwt"), algorithms(),
                List.of("client_credentials"), SmartScopes.SUPPORTED, List.of("client-confidential-asymmetric"),
                base.get() + "/.well-known/jwks.json"));
    }

    /** {@code --public-url} without a trailing slash, or the loopback URL this request was sent to. */
    private Optional<String> baseUrl(ServerRequest req) {
        if (publicUrl.isPresent()) {
            return Optional.of(publicUrl.get().toString().replaceAll("/+$", ""));
        }
        String authority = req.authority();
        return LOOPBACK.matcher(authority).matches()
                ? Optional.of((req.isSecure() ? "https" : "http") + "://" + authority) : Optional.empty();
    }

    /** The form's parameters, each at most once (RFC 6749 §3.2). */
    private static Map<String, String> form(ServerRequest req, ServerResponse res) {
        Optional<HttpMediaType> type;
        try {
            type = req.headers().contentType();
        } catch (RuntimeException malformed) {
            type = Optional.empty();
        }
        if (type.isEmpty() || !FORM.equals((type.get().mediaType().type() + "/" + type.get().mediaType().subtype())
                .toLowerCase(Locale.ROOT))) {
            throw invalidRequest("Content-Type must be " + FORM + " (RFC 6749 §4.4.2)");
        }
        byte[] body = RequestBodies.read(req, res, MAX_BODY_BYTES, BODY_DEADLINE)
                .orElseThrow(() -> invalidRequest("the body is longer than " + MAX_BODY_BYTES + " bytes"));
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.US_ASCII).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalidRequest("the body is not valid application/x-www-form-urlencoded");
            }
            if (form.put(name, value) != null) {
                throw invalidRequest((PARAMETERS.contains(name) ? name : "a parameter")
                        + " appears more than once (RFC 6749 §3.2)");
            }
        }
        return form;
    }

    private static String required(Map<String, String> form, String name) {
        String value = form.get(name);
        if (value == null || value.isBlank()) {
            throw invalidRequest(name + " is required");
        }
        return value;
    }

    private static List<String> algorithms() {
        return ClientKeys.ALGORITHMS.stream().map(JWSAlgorithm::getName).toList();
    }

    private static Refusal invalidRequest(String description) {
        return new Refusal("invalid_request", 400, description);
    }

    private static Refusal invalidClient(String description) {
        return new Refusal("invalid_client", 401, description);
    }

    private static void send(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            res.send(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a token endpoint answer always serialises", e);
        }
    }
}
