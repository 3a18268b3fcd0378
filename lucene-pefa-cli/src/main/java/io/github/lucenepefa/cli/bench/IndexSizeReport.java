package io.github.lucenepefa.cli.bench;

import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.VectorIndexSizes.FieldSize;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The index tables of {@code pefa bench --pareto}: per quantization, index and vector field the
 * bytes on disk and the hot bytes a search touches ({@link FieldSize#hot()}: the graph and the
 * vectors its walk scores), the totals a reader compares (stock documents, stock documents +
 * memory, the PEFA index, the fields PEFA-XL and PEFA-XS search), and the build times.
 */
final class IndexSizeReport {

  private IndexSizeReport() {}

  /**
   * The Markdown tables.
   *
   * @param sizes the fields' sizes ({@link ParetoIndexes.Size}), by quantization
   * @param builds per quantization, its build lines
   * @param schema the PEFA layout (its field names are the same for every quantization)
   * @return Markdown
   */
  static String markdown(
      List<ParetoIndexes.Size> sizes, Map<PefaQuantization, List<String>> builds, PefaSchema schema) {
    StringBuilder sb = new StringBuilder("### Vector fields (MB; hot: the graph and the vectors a graph walk reads)\n\n");
    sb.append("| quantization | index | field | vectors | float | quantized | graph | on disk | hot |\n");
    sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (ParetoIndexes.Size s : sizes) {
      FieldSize f = s.size();
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %d | %s | %s | %s | %s | %s |%n",
              s.quantization().id(),
              s.index(),
              f.field(),
              f.count(),
              mb(f.floatVectors()),
              f.quantizedVectors() == 0 ? "–" : mb(f.quantizedVectors()),
              mb(f.graph()),
              mb(f.onDisk()),
              mb(f.hot())));
    }
    long floatPefaHot = total(sizes, PefaQuantization.NONE, s -> s.index().equals("pefa"), true);
    sb.append("\n### Index totals (MB)\n\n");
    sb.append("| quantization | what | on disk | hot | hot × float PEFA index |\n|---|---|---:|---:|---:|\n");
    List<String> xl = List.of(schema.ermField(), schema.memoryField());
    for (PefaQuantization q : builds.keySet()) {
      row(sb, sizes, q, "stock documents", s -> s.index().equals("stock-docs"), floatPefaHot);
      row(sb, sizes, q, "stock documents + memory", s -> s.index().startsWith("stock-"), floatPefaHot);
      row(sb, sizes, q, "PEFA index (every field)", s -> s.index().equals("pefa"), floatPefaHot);
      row(
          sb, sizes, q, "PEFA-XL's fields (ERM + memory)",
          s -> s.index().equals("pefa") && xl.contains(s.size().field()), floatPefaHot);
      row(
          sb, sizes, q, "PEFA-XS's field",
          s -> s.index().equals("pefa") && Objects.equals(schema.xsVectorField(), s.size().field()), floatPefaHot);
    }
    sb.append("\n### Builds (wall time; phases in seconds)\n\n");
    for (Map.Entry<PefaQuantization, List<String>> e : builds.entrySet()) {
      if (e.getValue().isEmpty()) {
        sb.append("- ").append(e.getKey().id()).append(": reused indexes, build times not recorded\n");
      }
      for (String line : e.getValue()) {
        sb.append("- ").append(e.getKey().id()).append(": ").append(line).append('\n');
      }
    }
    return sb.append('\n').toString();
  }

  private static void row(
      StringBuilder sb,
      List<ParetoIndexes.Size> sizes,
      PefaQuantization q,
      String what,
      Predicate<ParetoIndexes.Size> which,
      long floatPefaHot) {
    long disk = total(sizes, q, which, false);
    long hot = total(sizes, q, which, true);
    sb.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %s | %s | %s |%n",
            q.id(),
            what,
            mb(disk),
            mb(hot),
            floatPefaHot == 0 ? "–" : String.format(Locale.ROOT, "%.3f", (double) hot / floatPefaHot)));
  }

  /** The summed hot (or on-disk) bytes of the fields of quantization {@code q} that {@code which} takes. */
  static long total(
      List<ParetoIndexes.Size> sizes, PefaQuantization q, Predicate<ParetoIndexes.Size> which, boolean hot) {
    long total = 0;
    for (ParetoIndexes.Size s : sizes) {
      if (s.quantization() == q && which.test(s)) {
        total += hot ? s.size().hot() : s.size().onDisk();
      }
    }
    return total;
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
  }
}
