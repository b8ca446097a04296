package health.vclinic.api.security;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A SMART Backend Services client's registered public keys: a JSON Web Key Set (RFC 7517 §5) checked
 * when it is registered, as SMART App Launch's client-confidential-asymmetric profile expects of the keys
 * that sign client assertions:
 *
 * <ul>
 *   <li>public keys only (a JWK holding {@code d}, {@code p}, ... or a symmetric {@code oct} key is refused:
 *       the private half never leaves the clinic);</li>
 *   <li>RSA of at least 2048 bits (RS384, RS256) or EC on P-384 (ES384) or P-256 (ES256);</li>
 *   <li>each with a unique {@code kid} (assertions name their key by it); {@code use}, when given, is
 *       {@code sig}; {@code alg}, when given, is one of {@link #ALGORITHMS} and fits the key;</li>
 *   <li>at most {@value #MAX_KEYS} keys (a current and a next one for rotation need two).</li>
 * </ul>
 */
public record ClientKeys(JWKSet keys) {

    /** Assertion signatures accepted: RS384 and ES384 (which SMART requires servers to support), RS256, ES256. */
    public static final List<JWSAlgorithm> ALGORITHMS = List.of(JWSAlgorithm.RS384, JWSAlgorithm.ES384,
            JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    static final int MAX_KEYS = 10;
    static final int MAX_JSON_CHARS = 64 * 1024;
    private static final int MIN_RSA_BITS = 2048;

    public ClientKeys {
        Objects.requireNonNull(keys, "keys");
    }

    /**
     * The key set in {@code json}, checked.
     *
     * @throws IllegalArgumentException saying what to fix (never quoting key material)
     */
    public static ClientKeys parse(String json) {
        if (json.length() > MAX_JSON_CHARS) {
            throw new IllegalArgumentException("the JWKS is longer than " + MAX_JSON_CHARS + " characters");
        }
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException e) {
            throw new IllegalArgumentException("the JWKS is not a JSON Web Key Set {\"keys\": [...]} (RFC 7517 §5)"
                    + " of RSA or EC public keys");
        }
        if (set.getKeys().isEmpty() || set.getKeys().size() > MAX_KEYS) {
            throw new IllegalArgumentException("the JWKS must hold 1 to " + MAX_KEYS + " keys, not "
                    + set.getKeys().size());
        }
        Set<String> kids = new HashSet<>();
        for (JWK key : set.getKeys()) {
            check(key);
            if (!kids.add(key.getKeyID())) {
                throw new IllegalArgumentException("two keys of the JWKS have kid '" + key.getKeyID() + "'; each kid"
                        + " must be unique");
            }
        }
        return new ClientKeys(set);
    }

    private static void check(JWK key) {
        String kid = key.getKeyID();
        if (kid == null || kid.isBlank() || kid.length() > 128) {
            throw new IllegalArgumentException("every key of the JWKS needs a kid (1 to 128 characters): client"
                    + " assertions name their signing key by it");
        }
        String which = "key '" + kid + "'";
        if (key.isPrivate()) {
            throw new IllegalArgumentException(which + " holds private key material (or is symmetric); register"
                    + " the public key only and keep the private one at the clinic");
        }
        switch (key) {
            case RSAKey rsa when rsa.size() < MIN_RSA_BITS -> throw new IllegalArgumentException(which
                    + " is RSA of " + rsa.size() + " bits; at least " + MIN_RSA_BITS + " are needed");
            case RSAKey rsa -> { }
            case ECKey ec when !Curve.P_384.equals(ec.getCurve()) && !Curve.P_256.equals(ec.getCurve()) ->
                    throw new IllegalArgumentException(which + " is EC on " + ec.getCurve() + "; P-384 (ES384) or"
                            + " P-256 (ES256) is needed");
            case ECKey ec -> { }
            default -> throw new IllegalArgumentException(which + " is of type " + key.getKeyType()
                    + "; RSA (RS384) or EC P-384 (ES384) is needed");
        }
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            throw new IllegalArgumentException(which + " has use '" + key.getKeyUse().identifier()
                    + "'; a client assertion key has use 'sig' or none");
        }
        Algorithm alg = key.getAlgorithm();
        if (alg != null && !(ALGORITHMS.contains(JWSAlgorithm.parse(alg.getName()))
                && signs(key, JWSAlgorithm.parse(alg.getName())))) {
            throw new IllegalArgumentException(which + " has alg '" + alg.getName() + "'; it must be one of "
                    + ALGORITHMS.stream().filter(a -> signs(key, a)).map(Algorithm::getName).toList()
                    + " for this key, or absent");
        }
    }

    /**
     * Whether {@code alg} is accepted for {@code key}: one of {@link #ALGORITHMS}, the key's own {@code alg}
     * when it names one, and made by its type (an ES384 signature needs a P-384 key).
     */
    static boolean fits(JWK key, JWSAlgorithm alg) {
        return ALGORITHMS.contains(alg) && (key.getAlgorithm() == null || key.getAlgorithm().getName()
                .equals(alg.getName())) && signs(key, alg);
    }

    private static boolean signs(JWK key, JWSAlgorithm alg) {
        return switch (key) {
            case RSAKey rsa -> JWSAlgorithm.Family.RSA.contains(alg);
            case ECKey ec -> (JWSAlgorithm.ES384.equals(alg) && Curve.P_384.equals(ec.getCurve()))
                    || (JWSAlgorithm.ES256.equals(alg) && Curve.P_256.equals(ec.getCurve()));
            default -> false;
        };
    }

    /** The key named {@code kid}. */
    public Optional<JWK> key(String kid) {
        return Optional.ofNullable(keys.getKeyByKeyId(kid));
    }

    /** The key set as stored and shown: public parameters only. */
    public String json() {
        return keys.toPublicJWKSet().toString(true);
    }
}
