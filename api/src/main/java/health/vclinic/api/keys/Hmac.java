package health.vclinic.api.keys;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.InvalidKeyException;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.Mac;

/**
 * HMAC-SHA256 (RFC 2104, FIPS 198-1) with reused {@link Mac} objects: every recorded assessment takes
 * several (its patient's keyed hash, the audit entry's and chain's MACs), and looking a {@code Mac} up costs
 * more than computing one over a short input. Request threads are virtual, so a pool rather than a
 * thread-local; each use initialises the object with its key.
 */
public final class Hmac {

    private static final ConcurrentLinkedQueue<Mac> POOL = new ConcurrentLinkedQueue<>();
    private static final int MAX_POOLED = 64;

    private Hmac() {
    }

    /** HMAC-SHA256 of {@code input} under {@code key}. */
    public static byte[] sha256(Key key, byte[] input) {
        Mac mac = POOL.poll();
        try {
            if (mac == null) {
                mac = Mac.getInstance("HmacSHA256");
            }
            mac.init(key);
            byte[] out = mac.doFinal(input);
            if (POOL.size() < MAX_POOLED) {
                POOL.offer(mac);
            }
            return out;
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an HMAC key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }
}
