package health.vclinic.api.cli;

import static health.vclinic.api.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code serve}'s TLS options, checked before anything starts (no model is loaded, no port bound): a host
 * beyond this machine needs TLS, and the TLS options need each other.
 */
class ServeTlsOptionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "10.0.0.5", "vclinic.example.org"})
    void aHostBeyondThisMachineWithoutTlsIsRefusedNamingTheFlags(String host) {
        CliRun r = run("serve", "--host", host, "--no-record");

        assertEquals(2, r.exit(), r.err());
        String first = r.err().lines().findFirst().orElseThrow();
        assertEquals("--host " + host + " is reachable beyond this machine: serve it over TLS with --tls-cert FILE"
                + " --tls-key FILE (and --tls-client-ca FILE for mutual TLS), or bind --host 127.0.0.1", first);
        assertFalse(r.out().contains("vclinic serving"), r.out());
    }

    @Test
    void theSameHostFromTheSettingsFileIsRefusedToo(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("vclinic.yaml"), "serve:\n  host: 0.0.0.0\n  no-record: true\n");

        CliRun r = run("serve", "--config", file.toString());

        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("--host 0.0.0.0 is reachable beyond this machine"), r.err());
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused(@TempDir Path dir) {
        CliRun r = run("serve", "--tls-cert", dir.resolve("server.crt").toString(), "--no-record");

        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("--tls-cert and --tls-key go together: give both"), r.err());
    }

    @Test
    void aClientCaWithoutAServerCertificateIsRefused(@TempDir Path dir) {
        CliRun r = run("serve", "--tls-client-ca", dir.resolve("clients.pem").toString(), "--no-record");

        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("--tls-client-ca needs --tls-cert and --tls-key"), r.err());
    }

    @Test
    void anUnreadableCertificateIsRefusedBeforeAnythingStarts(@TempDir Path dir) throws IOException {
        Path key = Files.writeString(dir.resolve("server.key"), "not a key");

        CliRun r = run("serve", "--host", "0.0.0.0", "--tls-cert", dir.resolve("absent.crt").toString(), "--tls-key",
                key.toString(), "--no-record");

        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("--tls-cert " + dir.resolve("absent.crt") + ": cannot be read"), r.err());
    }

    @Test
    void theHelpListsTheTlsOptions() {
        String help = run("serve", "--help").out();

        for (String option : new String[] {"--tls-cert", "--tls-key", "--tls-client-ca"}) {
            assertTrue(help.contains(option), option);
        }
    }
}
