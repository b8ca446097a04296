package health.vclinic.inference.news2;

/**
 * NEWS2 oxygen saturation scales. Scale 2 is only for patients with hypercapnic respiratory failure
 * and a prescribed target of 88-92 % (RCP 2017, Chart 1 and section 5).
 */
public enum SpO2Scale {
    SCALE_1,
    SCALE_2
}
