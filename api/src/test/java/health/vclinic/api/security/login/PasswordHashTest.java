package health.vclinic.api.security.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Argon2id hashes (RFC 9106, OWASP cost) and the password policy (NIST SP 800-63B §5.1.1.2). */
class PasswordHashTest {

    @Test
    void aHashCarriesTheOwaspArgon2idCostAndVerifiesOnlyItsPassword() {
        String hash = PasswordHash.hash("correct horse battery staple", PasswordHash.OWASP);
        assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash);
        assertEquals(new PasswordHash.Cost(19_456, 2, 1), PasswordHash.cost(hash));
        String[] parts = hash.split("\\$");
        assertEquals(22, parts[4].length(), "a 16-byte salt, unpadded Base64");
        assertEquals(43, parts[5].length(), "a 32-byte tag, unpadded Base64");
        assertTrue(PasswordHash.verify("correct horse battery staple", hash));
        assertFalse(PasswordHash.verify("correct horse battery stapl", hash));
        assertFalse(PasswordHash.verify("Correct horse battery staple", hash));
        assertNotEquals(hash, PasswordHash.hash("correct horse battery staple", PasswordHash.OWASP), "a fresh salt each time");
    }

    @Test
    void aHashMadeByTheReferenceImplementationVerifies() {
        // echo -n "correct horse battery staple" | argon2 vclinic-salt-16b -id -t 2 -k 19456 -p 1 -l 32 -e
        // (Debian's argon2 0~20171227, the PHC reference implementation)
        String reference = "$argon2id$v=19$m=19456,t=2,p=1$dmNsaW5pYy1zYWx0LTE2Yg$93HzlBM3AcsDPSGUwgmXLnEpCFOlDn/lKzGNYswYbhU";
        assertTrue(PasswordHash.verify("correct horse battery staple", reference));
        assertFalse(PasswordHash.verify("correct horse battery staplE", reference));
        // One tag character changed (not the last: its low bits are padding the decoder ignores).
        String otherTag = reference.replace("gmXLn", "gmXLm");
        assertFalse(otherTag.equals(reference));
        assertFalse(PasswordHash.verify("correct horse battery staple", otherTag));
    }

    @Test
    void passwordsAreNormalisedSoTheSameTextTypedTwoWaysVerifies() {
        // "é" precomposed (U+00E9) and as e + combining acute (U+0065 U+0301): NFKC makes them one.
        String hash = PasswordHash.hash("caf\u00e9 au lait tous les jours", PasswordHash.OWASP);
        assertTrue(PasswordHash.verify("cafe\u0301 au lait tous les jours", hash));
    }

    @Test
    void aStoredHashThatIsNotArgon2idOrAsksForTooMuchIsRefused() {
        assertThrows(IllegalStateException.class, () -> PasswordHash.verify("x", "$2a$10$abcdefghijklmnopqrstuv"));
        assertThrows(IllegalStateException.class, () -> PasswordHash.verify("x",
                "$argon2i$v=19$m=19456,t=2,p=1$dmNsaW5pYy1zYWx0LTE2Yg$93HzlBM3AcsDPSGUwgmXLnEpCFOlDn/lKzGNYswYbhU"));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.verify("x",
                "$argon2id$v=19$m=9999999,t=2,p=1$dmNsaW5pYy1zYWx0LTE2Yg$93HzlBM3AcsDPSGUwgmXLnEpCFOlDn/lKzGNYswYbhU"));
    }

    @Test
    void theCostOfOneHashOnThisMachine() {
        PasswordHash.hash("warm up the JIT first", PasswordHash.OWASP);
        int n = 5;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            PasswordHash.hash("a password of some length", PasswordHash.OWASP);
        }
        // Reported, not asserted: timing assertions are flaky on shared machines.
        System.out.printf("Argon2id m=19 MiB t=2 p=1 (BouncyCastle): %.1f ms per hash%n",
                (System.nanoTime() - start) / 1e6 / n);
    }

    @Test
    void weakPasswordsAreRefusedWithTheReason() {
        assertEquals(Optional.empty(), PasswordPolicy.weakness("correct horse battery staple", "alice"));
        assertEquals(Optional.empty(), PasswordPolicy.weakness("ein Kaffee für Zimmer 12", "alice"));
        assertTrue(PasswordPolicy.weakness("short pass1", "alice").orElseThrow().contains("at least 12"));
        assertTrue(PasswordPolicy.weakness("Password1234", "alice").orElseThrow().contains("commonly used"));
        assertTrue(PasswordPolicy.weakness("abababababababab", "alice").orElseThrow().contains("different characters"));
        assertTrue(PasswordPolicy.weakness("my name is alice, ok?", "alice").orElseThrow().contains("login"));
        assertTrue(PasswordPolicy.weakness("x".repeat(20) + "abcdefgh".repeat(40), "alice").orElseThrow()
                .contains("at most"));
    }
}
