package health.vclinic.api.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The service's own token-signing key: an EC P-256 key (ES256, RFC 7518 §3.4) kept as a JWK in an
 * owner-only file of the key directory, created on first start. Its public half is published at
 * {@code /.well-known/jwks.json} so that anyone can check a vclinic access token.
 */
public final class IssuerKey {

    /** The file name in the key directory. */
    public static final String FILE = "issuer.jwk";

    private final ECKey key;

    private IssuerKey(ECKey key) {
        if (!key.isPrivate()) {
            throw new IllegalArgumentException("the issuer key must hold its private part");
        }
        this.key = key;
    }

    /** The key in {@code keyDir}, created (0600) when absent. */
    public static IssuerKey load(Path keyDir, Consumer<String> announce) {
        byte[] json = SecretFiles.readOrCreate(keyDir.resolve(FILE),
                () -> generate().key.toJSONString().getBytes(StandardCharsets.UTF_8), announce);
        try {
            return new IssuerKey(ECKey.parse(new String(json, StandardCharsets.UTF_8)));
        } catch (ParseException e) {
            throw new IllegalStateException("the issuer key file " + keyDir.resolve(FILE) + " is not an EC JWK", e);
        }
    }

    /** A fresh key held in memory only (tests, and a server that must not keep one). */
    public static IssuerKey generate() {
        try {
            return new IssuerKey(new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE)
                    .keyIDFromThumbprint(true).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException("EC P-256 key generation is always available", e);
        }
    }

    ECKey key() {
        return key;
    }

    /** The key id, in every token's header. */
    public String keyId() {
        return Objects.requireNonNull(key.getKeyID(), "kid");
    }

    /** The public key set (JSON), as served at {@code /.well-known/jwks.json}. */
    public String publicJwks() {
        return new JWKSet(key.toPublicJWK()).toString(true);
    }
}
