package health.vclinic.api.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import health.vclinic.api.server.ClinicId;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * vclinic's access tokens: short-lived JWTs (RFC 9068 profile, {@code typ: at+jwt}) signed ES256 by the
 * {@link IssuerKey}, carrying the clinic ({@code clinic}), the role ({@code role}), the subject
 * ({@code sub}), the granted scopes ({@code scope}), the audience {@value #AUDIENCE} and an id ({@code jti}).
 * A token issued to a SMART client carries the scopes it was granted and reaches only the routes those
 * scopes cover ({@link Policy}); a token without a {@code scope} claim (an operator's {@code admin token})
 * has its role's full rights.
 *
 * <p>Verification accepts only ES256 under the issuer's key id (so {@code alg: none}, HMAC with the public
 * key as secret and foreign keys fail), the issuer and audience exactly, an expiry in the future (30 s
 * skew) and a lifetime of at most {@link #MAX_TTL}. A verified token is cached until it expires, so a
 * client that reuses its token pays for one signature check, not one per call.
 */
public final class AccessTokens {

    /** The {@code iss} and {@code aud} of every vclinic access token. */
    public static final String ISSUER = "vclinic";
    public static final String AUDIENCE = "vclinic";
    /** Longest lifetime of a token this service issues or accepts. */
    public static final Duration MAX_TTL = Duration.ofHours(24);
    /** Lifetime of a token issued to a SMART backend (SMART Backend Services recommends at most 5 min). */
    public static final Duration BACKEND_TTL = Duration.ofMinutes(5);
    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final int CACHE_LIMIT = 10_000;

    private record Verified(Caller caller, Instant expires) {
    }

    private final IssuerKey key;
    private final Clock clock;
    private final ECDSAVerifier verifier;
    private final ECDSASigner signer;
    private final ConcurrentHashMap<String, Verified> cache = new ConcurrentHashMap<>();

    public AccessTokens(IssuerKey key, Clock clock) {
        this.key = Objects.requireNonNull(key, "key");
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            this.verifier = new ECDSAVerifier(key.key().toPublicJWK());
            this.signer = new ECDSASigner(key.key());
        } catch (JOSEException e) {
            throw new IllegalStateException("an EC P-256 JWK always makes a signer and a verifier", e);
        }
    }

    public AccessTokens(IssuerKey key) {
        this(key, Clock.systemUTC());
    }

    public IssuerKey key() {
        return key;
    }

    /**
     * A token for {@code clinic}/{@code role}/{@code subject}, valid for {@code ttl}, limited to these SMART
     * scopes; with none, a token of the role's full rights (no {@code scope} claim: for the operator's own
     * tools, never for a SMART client, whose grant is never empty).
     */
    public String issue(ClinicId clinic, Role role, String subject, Duration ttl, List<String> scopes) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("token lifetime must be more than 0 and at most " + MAX_TTL.toHours()
                    + " h");
        }
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER).audience(AUDIENCE).subject(subject)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("clinic", clinic.value()).claim("role", role.wireName());
        if (!scopes.isEmpty()) {
            claims.claim("scope", String.join(" ", scopes));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.keyId())
                .type(new JOSEObjectType("at+jwt")).build(), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with the issuer key failed", e);
        }
        return jwt.serialize();
    }

    /**
     * The caller a token names.
     *
     * @throws AuthenticationException when the token is malformed, forged, expired, not yet valid, too long-lived
     *     or for another issuer or audience
     */
    public Caller verify(String token) {
        Instant now = clock.instant();
        Verified hit = cache.get(token);
        if (hit != null) {
            if (now.isBefore(hit.expires().plus(SKEW))) {
                return hit.caller();
            }
            cache.remove(token);
            throw new AuthenticationException("the access token has expired; get a new one");
        }
        Verified v = check(token, now);
        if (cache.size() >= CACHE_LIMIT) {
            // Bounded: a flood of distinct tokens costs a verification each, never memory.
            cache.clear();
        }
        cache.put(token, v);
        return v.caller();
    }

    private Verified check(String token, Instant now) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new AuthenticationException("the access token is not a signed JWT");
        }
        JWSHeader header = jwt.getHeader();
        if (!JWSAlgorithm.ES256.equals(header.getAlgorithm()) || !key.keyId().equals(header.getKeyID())) {
            throw new AuthenticationException("the access token was not signed by this service's issuer key");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw new AuthenticationException("the access token's signature does not verify");
            }
        } catch (JOSEException e) {
            throw new AuthenticationException("the access token's signature does not verify");
        }
        JWTClaimsSet c;
        try {
            c = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new AuthenticationException("the access token's claims are not a JSON object");
        }
        if (!ISSUER.equals(c.getIssuer()) || c.getAudience() == null || !c.getAudience().contains(AUDIENCE)) {
            throw new AuthenticationException("the access token is for another issuer or audience");
        }
        Date exp = c.getExpirationTime();
        Date iat = c.getIssueTime();
        if (exp == null || iat == null) {
            throw new AuthenticationException("the access token must carry exp and iat");
        }
        if (!now.isBefore(exp.toInstant().plus(SKEW))) {
            throw new AuthenticationException("the access token has expired; get a new one");
        }
        if (iat.toInstant().isAfter(now.plus(SKEW))
                || (c.getNotBeforeTime() != null && c.getNotBeforeTime().toInstant().isAfter(now.plus(SKEW)))) {
            throw new AuthenticationException("the access token is not valid yet");
        }
        if (Duration.between(iat.toInstant(), exp.toInstant()).compareTo(MAX_TTL) > 0) {
            throw new AuthenticationException("the access token lives longer than " + MAX_TTL.toHours() + " h");
        }
        try {
            // With scopes the token is limited to them; without (absent, or empty as an earlier admin token wrote
            // it: a SMART grant is never empty) it has the role's rights.
            Optional<Set<String>> scopes = Optional.ofNullable(c.getStringClaim("scope")).filter(v -> !v.isBlank())
                    .map(v -> Set.copyOf(java.util.Arrays.asList(v.strip().split(" +"))));
            Caller caller = new Caller(new ClinicId(c.getStringClaim("clinic")), Role.parse(c.getStringClaim("role")),
                    Objects.requireNonNull(c.getSubject(), "sub"), Objects.requireNonNull(c.getJWTID(), "jti"), scopes);
            return new Verified(caller, exp.toInstant());
        } catch (ParseException | RuntimeException e) {
            throw new AuthenticationException("the access token must carry a valid clinic, role, sub and jti");
        }
    }
}
