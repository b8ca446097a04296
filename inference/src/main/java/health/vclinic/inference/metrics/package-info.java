/**
 * The statistics every module computes, each in one place with its source: the area under the ROC
 * curve ({@link health.vclinic.inference.metrics.Auroc}), the Wilson score interval of a proportion
 * ({@link health.vclinic.inference.metrics.WilsonInterval}), Cohen's quadratic-weighted kappa
 * ({@link health.vclinic.inference.metrics.CohenKappa}) and golden-section search
 * ({@link health.vclinic.inference.metrics.GoldenSection}). Training selects and calibrates models
 * with them and the evaluation reports them, so both must agree to the last bit.
 */
package health.vclinic.inference.metrics;
