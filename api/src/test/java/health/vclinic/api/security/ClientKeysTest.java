package health.vclinic.api.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a client may register as its keys (SMART client-confidential-asymmetric: RSA 2048+ or EC P-384 /
 * P-256 public keys with a kid), the scopes it may be registered for, and the jti replay cache's bound.
 */
class ClientKeysTest {

    private static String set(JWK... keys) {
        return new JWKSet(List.of(keys)).toString(false);
    }

    @Test
    void publicRsaAndEcKeysWithKidsAreAcceptedAndStoredWithoutPrivateParts() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_384).keyID("ec").algorithm(JWSAlgorithm.ES384).keyUse(KeyUse.SIGNATURE)
                .generate();
        ECKey p256 = new ECKeyGenerator(Curve.P_256).keyID("p256").generate();
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        ClientKeys keys = ClientKeys.parse(set(ec.toPublicJWK(), p256.toPublicJWK(), rsa.toPublicJWK()));
        assertEquals(3, keys.keys().getKeys().size());
        assertTrue(keys.key("rsa").isPresent());
        assertFalse(keys.json().contains("\"d\""));
        assertTrue(ClientKeys.fits(keys.key("ec").orElseThrow(), JWSAlgorithm.ES384));
        assertFalse(ClientKeys.fits(keys.key("ec").orElseThrow(), JWSAlgorithm.ES256), "P-384 signs ES384 only");
        assertTrue(ClientKeys.fits(keys.key("p256").orElseThrow(), JWSAlgorithm.ES256));
        assertTrue(ClientKeys.fits(keys.key("rsa").orElseThrow(), JWSAlgorithm.RS384));
        assertFalse(ClientKeys.fits(keys.key("rsa").orElseThrow(), JWSAlgorithm.PS384), "not an accepted algorithm");
    }

    @Test
    void everyUnacceptableKeySetIsRefusedSayingWhy() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_384).keyID("ec").generate();
        Map<String, String> refused = Map.ofEntries(
                Map.entry(set(ec), "private"),
                Map.entry(set(new OctetSequenceKeyGenerator(256).keyID("hmac").generate()), "private"),
                Map.entry(set(new RSAKeyGenerator(1024, true).keyID("small").generate().toPublicJWK()), "1024 bits"),
                Map.entry(set(new ECKeyGenerator(Curve.P_521).keyID("p521").generate().toPublicJWK()), "P-521"),
                // RFC 8037 §A.2's Ed25519 public key.
                Map.entry("{\"keys\": [{\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"kid\": \"ed\","
                        + " \"x\": \"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}", "OKP"),
                Map.entry(set(new ECKeyGenerator(Curve.P_384).generate().toPublicJWK()), "kid"),
                Map.entry(set(ec.toPublicJWK(), new ECKeyGenerator(Curve.P_384).keyID("ec").generate().toPublicJWK()),
                        "unique"),
                Map.entry(set(new ECKeyGenerator(Curve.P_384).keyID("enc").keyUse(KeyUse.ENCRYPTION).generate()
                        .toPublicJWK()), "use"),
                Map.entry(set(new ECKeyGenerator(Curve.P_384).keyID("alg").algorithm(JWSAlgorithm.ES256).generate()
                        .toPublicJWK()), "ES384"),
                Map.entry("{\"keys\": []}", "1 to"),
                Map.entry("not json", "JSON Web Key Set"),
                Map.entry("{\"keys\": [{\"kty\": \"EC\"}]}", "JSON Web Key Set"));
        refused.forEach((json, why) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientKeys.parse(json));
            assertTrue(e.getMessage().contains(why), why + ": " + e.getMessage());
        });
    }

    @Test
    void registrableScopesAreTheSupportedOnesOnly() {
        assertEquals(SmartScopes.SUPPORTED.size(), SmartScopes.registrable(SmartScopes.SUPPORTED).size());
        assertThrows(IllegalArgumentException.class, () -> SmartScopes.registrable(List.of("system/*.read")));
        assertThrows(IllegalArgumentException.class, () -> SmartScopes.registrable(List.of()));
        assertThrows(IllegalArgumentException.class, () -> SmartScopes.grant("system/" + "a".repeat(2000) + ".read",
                java.util.Set.copyOf(SmartScopes.SUPPORTED)));
    }

    @Test
    void theReplayCacheKeepsEachJtiUntilItsExpiryAndFailsClosedWhenFull() {
        AssertionReplayCache cache = new AssertionReplayCache(2);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(AssertionReplayCache.Use.FIRST, cache.firstUse("c", "1", now.plusSeconds(60), now));
        assertEquals(AssertionReplayCache.Use.REPLAYED, cache.firstUse("c", "1", now.plusSeconds(60), now));
        assertEquals(AssertionReplayCache.Use.FIRST, cache.firstUse("other", "1", now.plusSeconds(60), now),
                "a jti is per client");
        assertEquals(AssertionReplayCache.Use.FULL, cache.firstUse("c", "2", now.plusSeconds(60), now));
        Instant later = now.plusSeconds(61);
        assertEquals(AssertionReplayCache.Use.FIRST, cache.firstUse("c", "2", later.plusSeconds(60), later),
                "expired entries make room");
        assertEquals(1, cache.size());
    }
}
