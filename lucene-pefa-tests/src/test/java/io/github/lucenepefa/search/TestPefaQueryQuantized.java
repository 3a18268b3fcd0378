package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lucenepefa.codec.Pefa01VectorsFormat;
import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEFA over quantized graphs ({@link PefaQuantization}): the same documents and memory indexed with
 * every quantization, each index opened afresh from disk by a plain {@link DirectoryReader} (the
 * quantization is read from the segments and the schema from the commit). With {@link
 * AnnEffort#EXHAUSTIVE} every quantization gives the float index's exact answer, rank for rank and
 * score for score; at the default effort, with the default oversample of each quantization, the
 * top 100 overlaps the exact top 100 by at least 0.9.
 */
class TestPefaQueryQuantized {

  static final int DIM = 32, DOCS = 2000, ROWS = 2000, QUERIES = 20;
  static final Map<PefaQuantization, Directory> DIRS = new EnumMap<>(PefaQuantization.class);
  static final Map<PefaQuantization, DirectoryReader> READERS = new EnumMap<>(PefaQuantization.class);
  static final List<float[]> QUERY_VECTORS = new ArrayList<>();

  @TempDir static Path tmp;

  @BeforeAll
  static void build() throws Exception {
    Random r = new Random(7);
    List<float[]> centres = new ArrayList<>();
    for (int c = 0; c < 40; c++) {
      centres.add(TestPefaQueryApproximate.gaussian(r, null, 1f));
    }
    List<float[]> docs = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      docs.add(TestPefaQueryApproximate.gaussian(r, centres.get(r.nextInt(centres.size())), 0.5f));
    }
    List<float[]> rows = new ArrayList<>();
    List<Map<String, Float>> labels = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      int d = r.nextInt(DOCS);
      rows.add(TestPefaQueryApproximate.gaussian(r, docs.get(d), 0.3f));
      Map<String, Float> l = new LinkedHashMap<>();
      l.put("d" + d, 1f);
      for (int e = r.nextInt(3); e > 0; e--) {
        l.put("d" + r.nextInt(DOCS), 1f);
      }
      labels.add(l);
    }
    for (PefaQuantization q : PefaQuantization.values()) {
      Path path = Files.createDirectory(tmp.resolve(q.id()));
      PefaSchema schema = PefaSchema.builder(DIM).quantization(q).build();
      try (Directory dir = FSDirectory.open(path);
          PefaIndexWriter w = PefaIndexWriter.open(dir, schema)) {
        for (int i = 0; i < ROWS; i++) {
          w.addTrainingQuery("t" + i, rows.get(i), labels.get(i));
        }
        for (int i = 0; i < DOCS; i++) {
          w.addDocument("d" + i, docs.get(i));
        }
      }
      // a fresh directory and reader, nothing set: the segments and the commit say it all
      Directory dir = FSDirectory.open(path);
      DIRS.put(q, dir);
      READERS.put(q, DirectoryReader.open(dir));
    }
    for (int i = 0; i < QUERIES; i++) {
      QUERY_VECTORS.add(
          TestPefaQueryApproximate.gaussian(r, docs.get(r.nextInt(DOCS)), 0.4f));
    }
  }

  @AfterAll
  static void close() throws Exception {
    for (DirectoryReader reader : READERS.values()) {
      reader.close();
    }
    for (Directory dir : DIRS.values()) {
      dir.close();
    }
  }

  @Test
  void schemaAndSegmentsRecordTheQuantization() throws Exception {
    for (PefaQuantization q : PefaQuantization.values()) {
      DirectoryReader reader = READERS.get(q);
      PefaSchema schema = PefaSchema.read(reader);
      assertEquals(q, schema.ermQuantization());
      assertEquals(q, schema.xsQuantization());
      assertEquals(q, schema.memoryQuantization());
      assertEquals(schema, PefaSchema.fromCommitValue(schema.toCommitValue()));
      assertEquals(q != PefaQuantization.NONE, schema.toCommitValue().contains("Quantization="));
      IndexChecks.assertClean(DIRS.get(q));
      for (LeafReaderContext ctx : reader.leaves()) {
        KnnVectorsReader vectors = ((CodecReader) ctx.reader()).getVectorReader();
        for (String field : new String[] {schema.ermField(), schema.xsVectorField(), schema.memoryField()}) {
          FieldInfo fi = ctx.reader().getFieldInfos().fieldInfo(field);
          assertEquals(q, Pefa01VectorsFormat.quantizationOf(fi), field);
          // the segment holds quantized vectors ("veq") beside the float ones ("vec")
          Map<String, Long> offHeap = vectors.getOffHeapByteSize(fi);
          assertEquals(q != PefaQuantization.NONE, offHeap.containsKey("veq"), q + " " + field + " " + offHeap);
          assertTrue(offHeap.containsKey("vec"), q + " " + field + " " + offHeap);
        }
      }
    }
  }

  @Test
  void exhaustiveEqualsTheFloatAnswerRankForRank() throws Exception {
    for (PefaQuantization q : PefaQuantization.values()) {
      for (float[] v : QUERY_VECTORS) {
        for (int mode = 0; mode < 3; mode++) {
          ScoreDoc[] want = keyed(PefaQuantization.NONE, query(mode, v, AnnEffort.EXHAUSTIVE, 0f), 50);
          ScoreDoc[] got = keyed(q, query(mode, v, AnnEffort.EXHAUSTIVE, 0f), 50);
          assertEquals(want.length, got.length);
          for (int i = 0; i < want.length; i++) {
            assertEquals(want[i].doc, got[i].doc, q + " mode " + mode + " rank " + i);
            assertEquals(want[i].score, got[i].score, 0f, q + " mode " + mode + " rank " + i);
          }
        }
      }
    }
  }

  @Test
  void approximateWithRescoringOverlapsTheExactAnswer() throws Exception {
    for (PefaQuantization q : PefaQuantization.values()) {
      for (int mode = 0; mode < 2; mode++) {
        double o = overlap(q, mode, AnnEffort.graphOnly(AnnEffort.DEFAULT_EF_SEARCH), 0f);
        assertTrue(o >= 0.9, q + " mode " + mode + ": overlap@100 " + o);
      }
    }
  }

  @Test
  void oversamplingRescoresMoreCandidates() throws Exception {
    // guards the test above: binary graphs at oversample 1 lose part of the exact answer, which
    // the default oversample (3) wins back
    AnnEffort effort = AnnEffort.graphOnly(AnnEffort.DEFAULT_EF_SEARCH);
    double one = overlap(PefaQuantization.BINARY, 1, effort, 1f);
    double three = overlap(PefaQuantization.BINARY, 1, effort, 0f);
    assertTrue(one < three, "binary XS overlap at oversample 1 " + one + ", default " + three);
  }

  @Test
  void badOversampleIsRejected() {
    PefaSchema schema = PefaSchema.builder(DIM).build();
    float[] q = QUERY_VECTORS.get(0);
    for (float bad : new float[] {0f, 0.5f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> PefaQuery.xs(schema, q, 10).oversample(bad));
      assertTrue(e.getMessage().contains("oversample"), e.getMessage());
    }
    assertEquals(
        PefaQuery.xs(schema, q, 10).oversample(2f).build(),
        PefaQuery.xs(schema, q, 10).oversample(2f).build());
    assertFalse(
        PefaQuery.xs(schema, q, 10).oversample(2f).build().equals(PefaQuery.xs(schema, q, 10).build()));
  }

  /** XL (mode 0), XS at the index lambda (1), XS at another lambda (2). */
  static PefaQuery query(int mode, float[] v, AnnEffort effort, float oversample) {
    PefaSchema schema = PefaSchema.builder(DIM).build(); // the layout only: names and dimension
    PefaQuery.Builder b =
        switch (mode) {
          case 0 -> PefaQuery.xl(schema, v, 100).topK(100).k(16);
          case 1 -> PefaQuery.xs(schema, v, 100);
          default -> PefaQuery.xs(schema, v, 100).lambda(0.8f);
        };
    if (oversample > 0) {
      b.oversample(oversample);
    }
    return b.effort(effort).build();
  }

  /** The hits of a query on one index, with doc = the number of the document's key. */
  static ScoreDoc[] keyed(PefaQuantization q, PefaQuery query, int n) throws Exception {
    DirectoryReader reader = READERS.get(q);
    ScoreDoc[] hits = new IndexSearcher(reader).search(query, n).scoreDocs;
    PefaSchema schema = PefaSchema.read(reader);
    ScoreDoc[] out = new ScoreDoc[hits.length];
    for (int i = 0; i < hits.length; i++) {
      LeafReaderContext ctx = reader.leaves().get(org.apache.lucene.index.ReaderUtil.subIndex(hits[i].doc, reader.leaves()));
      SortedDocValues keys = ctx.reader().getSortedDocValues(schema.keyField());
      assertTrue(keys.advanceExact(hits[i].doc - ctx.docBase));
      String key = keys.lookupOrd(keys.ordValue()).utf8ToString();
      out[i] = new ScoreDoc(Integer.parseInt(key.substring(1)), hits[i].score);
    }
    return out;
  }

  static double overlap(PefaQuantization q, int mode, AnnEffort effort, float oversample)
      throws Exception {
    double sum = 0;
    for (float[] v : QUERY_VECTORS) {
      ScoreDoc[] exact = keyed(PefaQuantization.NONE, query(mode, v, AnnEffort.EXHAUSTIVE, 0f), 100);
      ScoreDoc[] approx = keyed(q, query(mode, v, effort, oversample), 100);
      Set<Integer> e = new HashSet<>();
      for (ScoreDoc sd : exact) {
        e.add(sd.doc);
      }
      int hit = 0;
      for (ScoreDoc sd : approx) {
        hit += e.contains(sd.doc) ? 1 : 0;
      }
      sum += hit / (double) exact.length;
    }
    return sum / QUERY_VECTORS.size();
  }
}
