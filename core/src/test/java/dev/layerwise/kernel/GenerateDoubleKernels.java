package dev.layerwise.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the float64 kernels that are the float32 ones but for the type, from the hand-written float32 sources, so
 * that each such body is written once (as EJML's {@code GenerateCode32} and Lucene's generators do).
 *
 * <p>Run from the repository root: {@code java core/src/test/java/dev/layerwise/kernel/GenerateDoubleKernels.java}.
 * {@code GeneratedKernelsTest} fails when a generated file differs from what this program would write.
 *
 * <p>The transformation is exact token substitution: {@code float} → {@code double}, identifiers starting with
 * {@code Float} → {@code Double} ({@code FloatVector}, {@code FloatConv}, …), the bit conversions to their 64-bit
 * forms, float literals ({@code 0f}) → double literals ({@code 0d}), and {@code float32} → {@code float64} in
 * comments; before it, a few whole lines whose float64 form differs in more than the type ({@link #SPECIAL}). A cast
 * such as {@code (float) lr} becomes {@code (double) lr}, an identity that compiles to nothing (the generated class
 * says so to the compiler's lint).
 */
public final class GenerateDoubleKernels {

    /** The hand-written float32 sources and their generated float64 twins, from the repository root. */
    public static final List<String> SOURCES = List.of(
            "core/src/main/java/dev/layerwise/kernel/FloatMaxWindow.java",
            "core/src/main/java/dev/layerwise/kernel/portable/FloatProducts.java",
            "core/src/main/java/dev/layerwise/kernel/portable/FloatElementwise.java",
            "core/src/main/java/dev/layerwise/kernel/portable/FloatConv.java",
            "core/src/main/java/dev/layerwise/kernel/portable/FloatUpdate.java",
            "core/src/main/java/dev/layerwise/kernel/vector/FloatElementwise.java",
            "core/src/main/java/dev/layerwise/kernel/vector/FloatUpdate.java",
            "core/src/main/java/dev/layerwise/kernel/vector/FloatIm2col.java",
            "core/src/main/java/dev/layerwise/kernel/vector/FloatConvWeights.java",
            "core/src/main/java/dev/layerwise/kernel/vector/FloatConvInput.java",
            "core/src/main/java/dev/layerwise/kernel/vector/FloatConvForward.java",
            "core/src/main/java/dev/layerwise/kernel/vector/FloatRanges.java");

    /** Whole lines whose float64 form is not a token substitution (the widths of the bit patterns). */
    private static final Map<String, String> SPECIAL = new LinkedHashMap<>();

    static {
        SPECIAL.put("    public static int differs(float v, int bits) {",
                "    public static int differs(double v, long bits) {");
        SPECIAL.put("        int d = Float.floatToRawIntBits(v + 0f) ^ bits;",
                "        long d = Double.doubleToRawLongBits(v + 0d) ^ bits;");
        SPECIAL.put("        return (d | -d) >>> 31;",
                "        return (int) ((d | -d) >>> 63);");
        SPECIAL.put("                        int bits = Float.floatToRawIntBits(best + 0f);",
                "                        long bits = Double.doubleToRawLongBits(best + 0d);");
        SPECIAL.put("            int keep = mask[i] ? 0 : -1;",
                "            long keep = mask[i] ? 0L : -1L;");
        SPECIAL.put("            int keep = y[yOff + i] <= 0f ? 0 : -1;",
                "            long keep = y[yOff + i] <= 0d ? 0L : -1L;");
        SPECIAL.put("    /** Whether the product's last panel may be three vectors wide, as FloatGemm's WIDE says. */",
                "    /** DoubleGemm has no tile three vectors wide. */");
        SPECIAL.put("    private static final boolean WIDE = FloatGemm.WIDE;",
                "    private static final boolean WIDE = false;");
    }

    /** The generated class's declaration. */
    private static final Pattern CLASS = Pattern.compile("(public )?final class Double\\w* \\{");

    private static final Pattern FLOAT_LITERAL = Pattern.compile("\\b(\\d+(?:\\.\\d+)?)f\\b");

    private GenerateDoubleKernels() {
    }

    /** The path of the float64 file generated from the float32 one at {@code floatPath}. */
    public static String target(String floatPath) {
        int slash = floatPath.lastIndexOf('/');
        String name = floatPath.substring(slash + 1);
        if (!name.startsWith("Float")) {
            throw new IllegalArgumentException(floatPath + " is not a Float… source");
        }
        return floatPath.substring(0, slash + 1) + "Double" + name.substring("Float".length());
    }

    /** The float64 source generated from the float32 source {@code text} read from {@code floatPath}. */
    public static String generate(String floatPath, String text) {
        String name = floatPath.substring(floatPath.lastIndexOf('/') + 1);
        StringBuilder out = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String special = SPECIAL.get(lines[i]);
            String line = special != null ? special : substitute(lines[i]);
            if (CLASS.matcher(line).matches()) {
                // The float32 source's casts to float (a coefficient, a Math result) are identities here.
                out.append("@SuppressWarnings(\"cast\")\n");
            }
            out.append(line);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        String header = "// Generated from " + name + " by GenerateDoubleKernels: do not edit. To regenerate, run from the\n"
                + "// repository root: java core/src/test/java/dev/layerwise/kernel/GenerateDoubleKernels.java\n";
        return header + out;
    }

    private static String substitute(String line) {
        String s = line.replaceAll("\\bfloat\\b", "double")
                .replaceAll("\\bFloat(\\w*)", "Double$1")
                .replace("floatToRawIntBits", "doubleToRawLongBits")
                .replace("intBitsToFloat", "longBitsToDouble")
                .replaceAll("\\bfloat32\\b", "float64");
        Matcher m = FLOAT_LITERAL.matcher(s);
        return m.replaceAll("$1d");
    }

    /** Writes every generated file under the repository root given as the first argument, or the current directory. */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        for (String source : SOURCES) {
            String text = Files.readString(root.resolve(source), StandardCharsets.UTF_8);
            Path target = root.resolve(target(source));
            Files.writeString(target, generate(source, text), StandardCharsets.UTF_8);
            System.out.println("wrote " + target);
        }
    }
}
