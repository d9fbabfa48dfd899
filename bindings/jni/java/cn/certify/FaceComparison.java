package cn.certify;

/**
 * A 1:1 face comparison: of two templates at the engine's match threshold, or of a live
 * template with an authoritative reference portrait at the portrait threshold.
 */
public final class FaceComparison {
    /** Euclidean distance between the templates (never negative). */
    public final float distance;
    /** The threshold the decision used. */
    public final float threshold;
    /** The distance is below the threshold: the same person. */
    public final boolean samePerson;

    /** Built by the native code. */
    public FaceComparison(float distance, float threshold, boolean samePerson) {
        this.distance = distance;
        this.threshold = threshold;
        this.samePerson = samePerson;
    }

    @Override
    public String toString() {
        return "FaceComparison{distance=" + distance + ", threshold=" + threshold + ", samePerson=" + samePerson + "}";
    }
}
