package dev.folio.inspect;

/** IEEE binary16 to float, written from the standard as a client would, to check float16 answers. */
public final class Half {

    private Half() {}

    public static float toFloat(int bits) {
        int sign = (bits >> 15) & 1;
        int exponent = (bits >> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        float magnitude;
        if (exponent == 0) {
            magnitude = (float) (mantissa * Math.pow(2, -24));
        } else if (exponent == 31) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            magnitude = (float) ((1 + mantissa / 1024.0) * Math.pow(2, exponent - 15));
        }
        return sign == 1 ? -magnitude : magnitude;
    }
}
