package health.vclinic.datasets.imaging;

/**
 * What {@link ImageDecoder} accepts, checked before any pixel is decoded: a small file can claim a
 * huge image (a decompression bomb), so the byte limit alone does not bound memory.
 *
 * @param maxBytes largest encoded file; default 8 MiB, room for a full-resolution chest X-ray PNG
 * @param maxPixels largest width × height; default 4096 × 4096 (16 Mpx, 16 MiB of grey once decoded),
 *     above the 2-3k side of digital chest radiographs
 * @param minSide smallest width and height; default 28, the input side of the chest X-ray model,
 *     since a smaller image would have to be invented by upsampling
 */
public record ImageLimits(int maxBytes, long maxPixels, int minSide) {

    /** The defaults documented above. */
    public static final ImageLimits DEFAULT = new ImageLimits(8 << 20, 4096L * 4096L, 28);

    public ImageLimits {
        if (maxBytes < 1 || maxPixels < 1 || minSide < 1 || (long) minSide * minSide > maxPixels) {
            throw new IllegalArgumentException("image limits must be positive and allow a minSide x minSide image");
        }
    }
}
