package health.vclinic.datasets;

/**
 * Level of consciousness on the ACVPU scale (NEWS2, Royal College of Physicians 2017): alert, new
 * confusion, responds to voice, responds to pain, unresponsive.
 */
public enum Consciousness {
    ALERT,
    NEW_CONFUSION,
    VOICE,
    PAIN,
    UNRESPONSIVE;

    /** True for every state but {@link #ALERT}: NEWS2 scores all of them 3. */
    public boolean altered() {
        return this != ALERT;
    }
}
