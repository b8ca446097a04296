package health.vclinic.models;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The cards in the project's repository are in the documented format: each loads into its record and
 * the record writes it back byte for byte, so what training writes and what is committed cannot drift.
 */
class CommittedCardsTest {

    private static final Path REPOSITORY = ProjectRoot.path().resolve(ModelRepository.DEFAULT_RELATIVE_ROOT);

    @Test
    void everyCommittedCardLoadsAndIsWrittenBackByteForByte() throws IOException {
        List<Path> cards;
        try (Stream<Path> files = Files.walk(REPOSITORY)) {
            cards = files.filter(f -> f.getFileName().toString().equals(ModelRepository.CARD_FILE)).sorted().toList();
        }
        assertFalse(cards.isEmpty(), "no cards under " + REPOSITORY);
        for (Path card : cards) {
            boolean version = card.getParent().getFileName().toString().matches("[1-9][0-9]*");
            byte[] written = version ? VersionCard.read(card).bytes() : ModelCard.read(card).bytes();
            assertArrayEquals(Files.readAllBytes(card), written, card.toString());
        }
    }

    @Test
    void floatsInSectionsAreWrittenAsTheFloatsTheyWere() {
        ObjectNode tree = new ObjectMapper().createObjectNode();
        tree.putArray("artifacts").addObject().put("path", "p.bin").put("sha256", "a".repeat(64));
        tree.putObject("architecture").put("dropout", 0.3f);
        String written = new String(VersionCard.fromJson(tree).bytes(), UTF_8);
        assertEquals(true, written.contains("\"dropout\" : 0.3\n"), written);
    }
}
