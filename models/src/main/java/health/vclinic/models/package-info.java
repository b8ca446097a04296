/**
 * The model repository: versioned model directories with JSON cards, laid out as in Triton and
 * KServe ({@code <root>/<name>/model.json}, {@code <root>/<name>/<version>/model.json} and the
 * version's artifacts). {@link health.vclinic.models.ModelRepository} lists and resolves models,
 * verifying each artifact's sha256 before anything loads it; training pipelines write the same
 * cards with {@link health.vclinic.models.Sha256}.
 */
package health.vclinic.models;
