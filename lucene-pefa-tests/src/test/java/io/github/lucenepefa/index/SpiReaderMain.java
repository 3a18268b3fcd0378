package io.github.lucenepefa.index;

import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.PefaQuery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Opens a PEFA index the way an application that never names this project's codec does: {@link
 * DirectoryReader#open}, {@link CheckIndex}, and PEFA queries, the codec and vectors format found
 * by Lucene's SPI from the names the segments record. Nothing here refers to a codec or format
 * class. Run by {@link TestSpiInFreshJvm} in a fresh JVM, and in the test's own JVM for the
 * expected lines.
 *
 * <p>Arguments: the index directory and a query seed. Prints what it found, one fact per line.
 */
public final class SpiReaderMain {

  private SpiReaderMain() {}

  public static void main(String[] args) throws Exception {
    ChildJvm.exitWithParent();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (Directory dir = FSDirectory.open(Path.of(args[0]))) {
      out.println("available codecs include Pefa01: " + Codec.availableCodecs().contains("Pefa01"));
      out.println(
          "available formats include Pefa01VectorsFormat: "
              + KnnVectorsFormat.availableKnnVectorsFormats().contains("Pefa01VectorsFormat"));
      for (String line : facts(dir, Long.parseLong(args[1]))) {
        out.println(line);
      }
    }
    System.exit(0);
  }

  /** What an application sees of the index: codecs, CheckIndex, counts and PEFA results. */
  static List<String> facts(Directory dir, long seed) throws IOException {
    List<String> lines = new ArrayList<>();
    TreeSet<String> codecs = new TreeSet<>();
    for (SegmentCommitInfo info : SegmentInfos.readLatestCommit(dir)) {
      codecs.add(info.info.getCodec().getName());
    }
    lines.add("segment codecs: " + codecs);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (CheckIndex checker = new CheckIndex(dir)) {
      checker.setLevel(CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS);
      checker.setInfoStream(new PrintStream(log, true, StandardCharsets.UTF_8));
      CheckIndex.Status status = checker.checkIndex();
      lines.add("CheckIndex clean: " + status.clean);
      if (status.clean == false) {
        lines.add(log.toString(StandardCharsets.UTF_8));
      }
    }
    try (DirectoryReader plain = DirectoryReader.open(dir);
        PefaDirectoryReader reader = PefaDirectoryReader.wrap(plain)) {
      PefaSchema schema = reader.schema();
      IndexSearcher searcher = new IndexSearcher(reader);
      lines.add(
          "documents: " + reader.numDocs() + ", all: " + searcher.count(new MatchAllDocsQuery()));
      Random random = new Random(seed);
      for (int q = 0; q < 8; q++) {
        float[] vector = Workload.gaussianUnit(random, schema.dimension());
        AnnEffort effort = q % 2 == 0 ? AnnEffort.EXHAUSTIVE : AnnEffort.DEFAULT;
        PefaQuery xl = PefaQuery.xl(schema, vector, 10).k(8).topK(20).effort(effort).build();
        PefaQuery xs = PefaQuery.xs(schema, vector, 10).effort(effort).build();
        lines.add("query " + q + " XL " + describe(searcher, xl));
        lines.add("query " + q + " XS " + describe(searcher, xs));
      }
    }
    return lines;
  }

  /** The hits as key=score (the score's exact float bits). */
  private static String describe(IndexSearcher searcher, PefaQuery query) throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    String keyField = ((PefaDirectoryReader) searcher.getIndexReader()).schema().keyField();
    StringBuilder sb = new StringBuilder();
    for (ScoreDoc hit : searcher.search(query, 10).scoreDocs) {
      LeafReaderContext ctx = leaves.get(ReaderUtil.subIndex(hit.doc, leaves));
      SortedDocValues keys =
          PefaDirectoryReader.withMemory(ctx.reader()).getSortedDocValues(keyField);
      String key =
          keys.advanceExact(hit.doc - ctx.docBase)
              ? keys.lookupOrd(keys.ordValue()).utf8ToString()
              : "?";
      sb.append(' ').append(key).append('=').append(Integer.toHexString(Float.floatToIntBits(hit.score)));
    }
    return sb.toString().strip();
  }
}
