package health.vclinic.api.audit;

/**
 * What {@link AuditLog#verify()} found on recomputing the chain: intact, or the first entry where it breaks
 * and how.
 */
public sealed interface ChainVerification {

    /** One line for an operator. */
    String describe();

    /** Every entry's MAC verifies and links to the one before, from sequence 1 on without a gap. */
    record Intact(long entries) implements ChainVerification {
        @Override
        public String describe() {
            return "audit chain intact: " + entries + " entries";
        }
    }

    /**
     * The chain breaks at {@code sequence}.
     *
     * @param verified how many entries before it verified
     * @param detail   what was found, in words (never a field's value)
     */
    record Broken(long sequence, Fault fault, long verified, String detail) implements ChainVerification {
        @Override
        public String describe() {
            return "audit chain broken at entry " + sequence + ": " + fault + " (" + detail + "); the " + verified
                    + " entries before it verify";
        }
    }

    /** How the chain was broken. */
    enum Fault {
        /** An entry the service wrote has been changed: its fields or MACs no longer match. */
        ALTERED,
        /** Entries are missing: a gap in the sequence, or an entry that no longer links to the one before it. */
        REMOVED,
        /** An entry the service never wrote, or one moved or copied from another place in the chain. */
        INSERTED
    }
}
