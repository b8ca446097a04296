package health.vclinic.api.security.login;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import health.vclinic.api.security.SecretFiles;
import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.ApiException;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.HttpErrors;
import health.vclinic.api.server.TlsSettings;
import health.vclinic.datasets.InvalidInputException;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Clinicians' login through their clinic's OpenID Connect provider: {@code GET /app/login/oidc?clinic=...}
 * sends the browser to the provider (OpenID Connect Core 1.0 §3.1, authorization code flow, with {@code state},
 * {@code nonce} and PKCE S256, RFC 7636), and {@code GET /app/login/oidc/callback} exchanges the code at the
 * token endpoint (client secret by HTTP Basic, RFC 6749 §2.3.1) and verifies the ID token (§3.1.3.7): signed
 * with a key of the provider's JWKS by an asymmetric algorithm (never {@code none} or HMAC), issuer, audience
 * (and {@code azp} when there are several), expiry and nonce; {@code amr} must include {@code mfa} (RFC 8176),
 * since the provider owns the second factor. {@code preferred_username} (else {@code sub}) names the
 * clinician's account in that clinic; the session that begins is a password login's.
 *
 * <p>The {@code state} is bound to the browser by a short-lived {@code SameSite=Lax} cookie (Lax: the provider
 * sends the browser back by a cross-site navigation) and is good once (RFC 9700 §4.7, login CSRF). Failures
 * go to the login page with a short reason code and are told to {@link LoginEvents}; no code, token or
 * secret is logged or echoed.
 */
final class OidcLogin {

    static final String START = "/app/login/oidc";
    static final String CALLBACK = "/app/login/oidc/callback";
    static final String STATE_COOKIE = "__Host-vclinic_oidc";
    /** How long a browser may stay at the provider between leaving and coming back. */
    static final Duration PENDING_FOR = Duration.ofMinutes(10);
    private static final int MAX_PENDING = 10_000;
    private static final Duration DISCOVERY_TTL = Duration.ofHours(12);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    /** Asymmetric signatures only: an HMAC would be keyed with the client secret, and {@code none} is no signature. */
    private static final Set<JWSAlgorithm> ASYMMETRIC = java.util.stream.Stream.of(JWSAlgorithm.Family.RSA,
            JWSAlgorithm.Family.EC, JWSAlgorithm.Family.ED).flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(OidcLogin.class.getName());

    /** Why a login through the provider was refused: the audit's reason, and the code the login page explains. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final LoginEvents.Failure failure;
        final String page;

        Refused(LoginEvents.Failure failure, String page, String reason) {
            super(reason, null, false, false);
            this.failure = failure;
            this.page = page;
        }

        static Refused rejected(String reason) {
            return new Refused(LoginEvents.Failure.OIDC_REJECTED, "oidc", reason);
        }
    }

    /** A browser sent to the provider, awaited back. */
    private record Pending(ClinicId clinic, String nonce, String verifier, URI redirectUri, Instant expires) {
    }

    /** What the provider's discovery document says, and its keys. */
    private record Provider(URI authorization, URI token, ConfigurableJWTProcessor<SecurityContext> idTokens,
                            Instant fetched) {
    }

    private final Map<ClinicId, OidcProvider> providers;
    private final Optional<URI> publicUrl;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<ClinicId, Provider> discovered = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    OidcLogin(List<OidcProvider> providers, Optional<URI> publicUrl, Clock clock) {
        this.providers = providers.stream().collect(Collectors.toUnmodifiableMap(OidcProvider::clinic,
                Function.identity(), (a, b) -> {
                    throw new IllegalArgumentException("--oidc is given twice for clinic " + a.clinic().value());
                }));
        this.publicUrl = publicUrl;
        this.clock = clock;
    }

    void routes(HttpRouting.Builder routing, ClinicianLogin login) {
        routing.get(START, this::start)
                .get(CALLBACK, (req, res) -> callback(req, res, login));
    }

    // ---- leaving for the provider ----

    private void start(ServerRequest req, ServerResponse res) {
        try {
            String text = req.query().first("clinic").asOptional().orElseThrow(() -> new InvalidInputException("clinic",
                    "is required: the clinic whose OpenID Connect provider you log in with"));
            ClinicId clinic;
            try {
                clinic = new ClinicId(text.strip().toLowerCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("clinic", "must be 1 to 64 lower-case letters, digits or hyphens");
            }
            OidcProvider provider = Optional.ofNullable(providers.get(clinic)).orElseThrow(() -> new InvalidInputException(
                    "clinic", "has no OpenID Connect provider configured on this server (serve --oidc " + clinic.value()
                            + "=ISSUER,CLIENT_ID,SECRET_FILE); log in with password and code"));
            Provider p = provider(provider);
            URI redirect = redirectUri(req);
            String state = random();
            String nonce = random();
            String verifier = random();
            admit(state, new Pending(clinic, nonce, verifier, redirect, clock.instant().plus(PENDING_FOR)));
            Map<String, String> query = new LinkedHashMap<>();
            query.put("response_type", "code");
            query.put("client_id", provider.clientId());
            query.put("redirect_uri", redirect.toString());
            query.put("scope", "openid profile");
            query.put("state", state);
            query.put("nonce", nonce);
            query.put("code_challenge", challenge(verifier));
            query.put("code_challenge_method", "S256");
            String base = p.authorization().toString();
            res.headers().addCookie(SetCookie.builder(STATE_COOKIE, state).path("/").secure(true).httpOnly(true)
                    .sameSite(SetCookie.SameSite.LAX).maxAge(PENDING_FOR).build());
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.header(HeaderNames.LOCATION, base + (base.contains("?") ? "&" : "?") + form(query));
            res.status(Status.FOUND_302);
            res.send();
        } catch (RuntimeException e) {
            HttpErrors.send(res, e);
        }
    }

    private void admit(String state, Pending p) {
        Instant now = clock.instant();
        pending.values().removeIf(old -> !old.expires().isAfter(now));
        if (pending.size() >= MAX_PENDING) {
            throw new ApiException(ApiError.Kind.RESOURCE_EXHAUSTED, "too many logins under way; try again in a minute");
        }
        pending.put(state, p);
    }

    /** Where the provider sends the browser back: under {@code --public-url}, else this loopback address. */
    private URI redirectUri(ServerRequest req) {
        if (publicUrl.isPresent()) {
            String base = publicUrl.get().toString();
            return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + CALLBACK);
        }
        String authority = req.authority();
        URI here = URI.create((req.isSecure() ? "https" : "http") + "://" + authority + CALLBACK);
        if (here.getHost() == null || !TlsSettings.loopback(here.getHost())) {
            throw new ApiException(ApiError.Kind.UNAVAILABLE, "login through an OpenID Connect provider needs the"
                    + " server's external URL: serve --public-url https://...");
        }
        return here;
    }

    // ---- coming back ----

    private void callback(ServerRequest req, ServerResponse res, ClinicianLogin login) {
        // The state cookie has done its work whatever happens next.
        res.headers().addCookie(SetCookie.builder(STATE_COOKIE, "").path("/").secure(true).httpOnly(true)
                .sameSite(SetCookie.SameSite.LAX).expires(Instant.EPOCH).build());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        Optional<Pending> back = returning(req);
        String clinic = back.map(p -> p.clinic().value()).orElse("");
        try {
            Pending p = back.orElseThrow(() -> Refused.rejected("unknown, expired, reused or foreign state"));
            OidcProvider provider = providers.get(p.clinic());
            Optional<String> error = req.query().first("error").asOptional();
            if (error.isPresent()) {
                String said = error.get().replaceAll("[^A-Za-z0-9_]", "");
                throw Refused.rejected("the provider answered error=" + said.substring(0, Math.min(40, said.length())));
            }
            String code = req.query().first("code").asOptional().filter(c -> !c.isEmpty() && c.length() <= 4096)
                    .orElseThrow(() -> Refused.rejected("no authorization code"));
            Provider endpoints = provider(provider);
            JWTClaimsSet claims = verify(endpoints, provider, exchange(endpoints, provider, code, p), p.nonce());
            List<String> amr = stringList(claims, "amr");
            if (!amr.contains("mfa")) {
                throw new Refused(LoginEvents.Failure.OIDC_NO_MFA, "oidc-mfa", "amr has no mfa");
            }
            String user = Optional.ofNullable(stringClaim(claims, "preferred_username")).orElse(claims.getSubject());
            Optional<SessionStore.Started> started = login.providerSession(p.clinic(), user);
            if (started.isEmpty()) {
                toLoginPage(res, "oidc-account");
                return;
            }
            login.setSessionCookie(req, res, started.get());
            continueToApp(res);
        } catch (Refused e) {
            LOG.log(System.Logger.Level.INFO, "OpenID Connect login refused" + (clinic.isEmpty() ? "" : " for clinic "
                    + clinic) + ": " + e.getMessage());
            login.providerFailure(clinic, e.failure);
            toLoginPage(res, e.page);
        } catch (RuntimeException e) {
            HttpErrors.send(res, e);
        }
    }

    /** The pending login this callback's state and state cookie name (taken: a state is good once). */
    private Optional<Pending> returning(ServerRequest req) {
        Optional<String> state = req.query().first("state").asOptional();
        Optional<String> cookie = req.headers().cookies().first(STATE_COOKIE).asOptional();
        if (state.isEmpty() || cookie.isEmpty() || !MessageDigest.isEqual(state.get().getBytes(StandardCharsets.UTF_8),
                cookie.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.ofNullable(pending.remove(state.get())).filter(p -> p.expires().isAfter(clock.instant()));
    }

    /** The ID token the token endpoint gives for {@code code} (OpenID Connect Core 1.0 §3.1.3.1 to 3.1.3.3). */
    private String exchange(Provider endpoints, OidcProvider provider, String code, Pending p) throws Refused {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", p.redirectUri().toString());
        body.put("code_verifier", p.verifier());
        String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(provider.clientId(), StandardCharsets.UTF_8)
                + ":" + URLEncoder.encode(provider.clientSecret(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(endpoints.token()).timeout(HTTP_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .header("Authorization", "Basic " + basic).POST(HttpRequest.BodyPublishers.ofString(form(body))).build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw Refused.rejected("the token endpoint answered HTTP " + r.statusCode());
            }
            JsonNode token = JSON.readTree(r.body()).path("id_token");
            if (!token.isTextual()) {
                throw Refused.rejected("the token endpoint's answer has no id_token");
            }
            return token.asText();
        } catch (IOException e) {
            throw Refused.rejected("the token endpoint could not be reached or answered no JSON ("
                    + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiError.Kind.UNAVAILABLE, "the server is stopping");
        }
    }

    /** The ID token's claims, when it passes every check of OpenID Connect Core 1.0 §3.1.3.7. */
    private static JWTClaimsSet verify(Provider endpoints, OidcProvider provider, String idToken, String nonce)
            throws Refused {
        JWTClaimsSet claims;
        try {
            claims = endpoints.idTokens().process(idToken, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            // Nimbus says what failed (signature, audience, expiry...); its messages quote no token.
            throw Refused.rejected("the ID token was refused: " + e.getMessage());
        }
        String sent = stringClaim(claims, "nonce");
        if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                nonce.getBytes(StandardCharsets.UTF_8))) {
            throw Refused.rejected("the ID token's nonce is not this login's");
        }
        List<String> audience = claims.getAudience();
        String azp = stringClaim(claims, "azp");
        if ((audience.size() > 1 || azp != null) && !provider.clientId().equals(azp)) {
            throw Refused.rejected("the ID token has several audiences and its azp is not this client");
        }
        return claims;
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        try {
            return claims.getStringClaim(name);
        } catch (ParseException e) {
            return null;
        }
    }

    private static List<String> stringList(JWTClaimsSet claims, String name) {
        try {
            return Optional.ofNullable(claims.getStringListClaim(name)).orElse(List.of());
        } catch (ParseException e) {
            return List.of();
        }
    }

    private static void toLoginPage(ServerResponse res, String why) {
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, "/app/login?failed=" + why);
        res.send();
    }

    /**
     * A page that moves on to {@code /app/} by itself, not a redirect: the browser arrived here by a cross-site
     * navigation from the provider, and the session cookie is {@code SameSite=Strict}, so a redirect in the
     * same chain would reach the app without it.
     */
    private static void continueToApp(ServerResponse res) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'");
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.send("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta http-equiv=\"refresh\" content=\"0;url=/app/\"><title>Logged in</title></head>"
                + "<body><p>Logged in. <a href=\"/app/\">Continue to the worklist</a>.</p></body></html>");
    }

    // ---- the provider ----

    /** The provider's endpoints and keys, from its discovery document (fetched at first use, then twice a day). */
    private Provider provider(OidcProvider provider) {
        Provider known = discovered.get(provider.clinic());
        if (known != null && known.fetched().plus(DISCOVERY_TTL).isAfter(clock.instant())) {
            return known;
        }
        try {
            Provider fresh = discover(provider);
            discovered.put(provider.clinic(), fresh);
            return fresh;
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "the OpenID Connect provider of clinic " + provider.clinic().value()
                    + " (" + provider.discovery() + ") could not be used: " + e.getMessage());
            throw new ApiException(ApiError.Kind.UNAVAILABLE, "the OpenID Connect provider of clinic "
                    + provider.clinic().value() + " cannot be reached or describes itself wrongly; try again later, or"
                    + " log in with password and code");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiError.Kind.UNAVAILABLE, "the server is stopping");
        }
    }

    private Provider discover(OidcProvider provider) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(provider.discovery()).timeout(HTTP_TIMEOUT)
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("its discovery document answered HTTP " + r.statusCode());
        }
        JsonNode doc = JSON.readTree(r.body());
        // OpenID Connect Discovery 1.0 §4.3: the issuer it names must be the one asked for, exactly.
        if (!provider.issuer().toString().equals(doc.path("issuer").asText())) {
            throw new IllegalArgumentException("its discovery document names another issuer");
        }
        URI authorization = endpoint(doc, "authorization_endpoint");
        URI token = endpoint(doc, "token_endpoint");
        URI jwks = endpoint(doc, "jwks_uri");
        Set<JWSAlgorithm> algorithms = new HashSet<>(ASYMMETRIC);
        JsonNode offered = doc.path("id_token_signing_alg_values_supported");
        if (offered.isArray()) {
            Set<JWSAlgorithm> named = new HashSet<>();
            offered.forEach(a -> named.add(JWSAlgorithm.parse(a.asText())));
            algorithms.retainAll(named);
        }
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("it signs ID tokens with no asymmetric algorithm (RS*, PS*, ES*, EdDSA)");
        }
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwks.toURL(),
                new DefaultResourceRetriever((int) HTTP_TIMEOUT.toMillis(), (int) HTTP_TIMEOUT.toMillis(), 512 << 10))
                .build();
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(provider.clientId(),
                new JWTClaimsSet.Builder().issuer(provider.issuer().toString()).build(),
                Set.of("sub", "iat", "exp", "nonce")) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        });
        return new Provider(authorization, token, processor, clock.instant());
    }

    private static URI endpoint(JsonNode doc, String name) {
        String text = doc.path(name).asText("");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("its discovery document has no " + name);
        }
        URI url = URI.create(text);
        OidcProvider.checkUrl(url, "its " + name);
        return url;
    }

    // ---- values ----

    /** 256 random bits, Base64url: a state, a nonce, a PKCE verifier (RFC 7636 §4.1: 43 characters). */
    private static String random() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(SecretFiles.randomBytes(32));
    }

    /** The PKCE S256 challenge of {@code verifier} (RFC 7636 §4.2). */
    static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }
}
