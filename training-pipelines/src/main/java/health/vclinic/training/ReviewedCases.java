package health.vclinic.training;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.reviews.ReviewExportFile;
import health.vclinic.datasets.reviews.ReviewedCase;
import health.vclinic.inference.InferenceException;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.features.ReviewedInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Clinicians' reviewed cases from a {@link ReviewExportFile} ({@code ./vclinic admin export reviews}) as
 * training rows: the clinician's level is the label, {@link TrainingConfig.Reviews#weight()} the weight.
 * A case without a clinician's level (an override sent through CDS Hooks, which names none) is skipped and
 * counted. Their provenance (the file's sha256, counts, weight) goes on the model card.
 *
 * @param rows the rows added to training, in file order
 * @param skipped cases without a clinician's level
 */
record ReviewedCases(String fileName, ReviewExportFile.Export export, List<TriageTable.Reviewed> rows, int skipped,
                     TrainingConfig.Reviews settings) {

    ReviewedCases {
        rows = List.copyOf(rows);
    }

    /**
     * @throws TrainingException naming the file and what is wrong with it
     */
    static ReviewedCases read(Path file, TriageEngine engine, TrainingConfig.Reviews settings) {
        if (!Files.isRegularFile(file)) {
            throw new TrainingException("--reviews " + file + " is not a file; write one with ./vclinic admin export"
                    + " reviews --since DATE --out FILE");
        }
        ReviewExportFile.Export export;
        try {
            export = ReviewExportFile.read(file);
        } catch (InvalidInputException e) {
            throw new TrainingException("--reviews " + file.getFileName() + ": " + e.getMessage(), e);
        }
        List<TriageTable.Reviewed> rows = new ArrayList<>();
        int skipped = 0;
        for (int i = 0; i < export.cases().size(); i++) {
            ReviewedCase c = export.cases().get(i);
            if (c.clinicianLevel().isEmpty() || settings.weight() == 0) {
                skipped++;
                continue;
            }
            try {
                rows.add(new TriageTable.Reviewed(ReviewedInput.of(c, engine, "reviewed-" + (i + 1)),
                        c.clinicianLevel().getAsInt(), settings.weight()));
            } catch (InferenceException e) {
                throw new TrainingException("--reviews " + file.getFileName() + " line " + (i + 2) + ": " + e.getMessage(), e);
            }
        }
        return new ReviewedCases(file.getFileName().toString(), export, rows, skipped, settings);
    }

    /** For Tribuo's dataset provenance. */
    String describe() {
        return rows.size() + " reviewed cases of " + fileName + " sha256 " + export.sha256() + " at weight " + settings.weight();
    }

    /** The card's {@code data.reviews}: where the reviewed cases came from and how they were used. */
    ObjectNode provenance() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("file", fileName);
        o.put("sha256", export.sha256());
        o.put("format", ReviewExportFile.FORMAT + " version " + ReviewExportFile.FORMAT_VERSION);
        o.put("cases_in_file", export.cases().size());
        o.put("cases_used", rows.size());
        o.put("cases_skipped_without_a_clinician_level", skipped);
        TrainingConfig.put(o, "weight", settings.weight());
        o.put("weight_rationale", settings.rationale());
        o.put("complaint_vocabulary_of", export.header().vocabularyOf());
        o.put("exported_by", export.header().exportedBy());
        o.put("since", export.header().since().toString());
        export.header().modelVersions().forEach(o.putArray("reviewed_model_versions")::add);
        ObjectNode levels = o.putObject("clinician_levels");
        for (int l = 1; l <= 5; l++) {
            int level = l;
            levels.put(Integer.toString(l), rows.stream().filter(r -> r.level() == level).count());
        }
        o.put("use", "added to every fit (each cross-validation fold's and the final one), never held out: the"
                + " operating point and the figures on this card are the KTAS training site's");
        return o;
    }
}
