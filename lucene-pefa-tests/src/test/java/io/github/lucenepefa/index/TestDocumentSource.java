package io.github.lucenepefa.index;

import io.github.lucenepefa.codec.Pefa01Codec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoubleField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.FloatField;
import org.apache.lucene.document.IntField;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.KeywordField;
import org.apache.lucene.document.KnnByteVectorField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LatLonPoint;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.analysis.MockAnalyzer;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.BytesRef;

/**
 * A document that {@link PefaIndexWriter} indexes again when its PEFA-XS vector changes holds
 * exactly what the application first gave it: postings (frequencies, positions, offsets), norms,
 * every kind of doc values, points, stored values, term vectors and the application's own vectors
 * are compared, document by document, with an index the same fields were written to directly.
 */
public class TestDocumentSource extends LuceneTestCase {

  static final int DIM = TestLiveMemory.DIM;
  static final String[] WORDS = {"red", "green", "blue", "cyan", "magenta", "yellow"};

  static List<IndexableField> applicationFields(Random r, int i) {
    FieldType withVectors = new FieldType(TextField.TYPE_STORED);
    withVectors.setStoreTermVectors(true);
    withVectors.setStoreTermVectorPositions(true);
    withVectors.setStoreTermVectorOffsets(true);
    withVectors.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
    FieldType attributed = new FieldType(StringField.TYPE_NOT_STORED);
    attributed.setOmitNorms(false);
    attributed.putAttribute("app.attribute", "x");
    StringBuilder text = new StringBuilder();
    for (int w = 0; w < 1 + r.nextInt(12); w++) {
      text.append(WORDS[r.nextInt(WORDS.length)]).append(' ');
    }
    float[] appVector = new float[3];
    for (int j = 0; j < 3; j++) {
      appVector[j] = r.nextFloat();
    }
    List<IndexableField> f = new ArrayList<>();
    f.add(new TextField("body", text.toString(), Field.Store.NO));
    f.add(new Field("annotated", text.toString(), withVectors));
    f.add(new StringField("id", "doc-" + i, Field.Store.YES));
    f.add(new Field("attributed", "v" + r.nextInt(3), attributed));
    f.add(new KeywordField("tag", WORDS[r.nextInt(WORDS.length)], Field.Store.YES));
    f.add(new KeywordField("tag", WORDS[r.nextInt(WORDS.length)], Field.Store.NO));
    f.add(new IntField("year", 1990 + r.nextInt(30), Field.Store.YES));
    f.add(new LongField("stamp", r.nextLong(), Field.Store.NO));
    f.add(new FloatField("price", r.nextFloat() * 100, Field.Store.YES));
    f.add(new DoubleField("rating", r.nextDouble(), Field.Store.NO));
    f.add(new IntPoint("grid", r.nextInt(100), r.nextInt(100)));
    f.add(new LatLonPoint("where", r.nextDouble() * 180 - 90, r.nextDouble() * 360 - 180));
    f.add(new NumericDocValuesField("rank", r.nextInt(1000)));
    f.add(NumericDocValuesField.indexedField("skipping", r.nextInt(50)));
    f.add(new SortedNumericDocValuesField("multi", r.nextInt(10)));
    f.add(new SortedNumericDocValuesField("multi", r.nextInt(10)));
    f.add(new SortedDocValuesField("category", new BytesRef(WORDS[r.nextInt(WORDS.length)])));
    f.add(new SortedSetDocValuesField("labels", new BytesRef(WORDS[r.nextInt(WORDS.length)])));
    f.add(new BinaryDocValuesField("blob", new BytesRef(new byte[] {(byte) i, 1, 2})));
    f.add(new StoredField("stored-int", i));
    f.add(new StoredField("stored-long", (long) i << 33));
    f.add(new StoredField("stored-double", i * 0.25));
    f.add(new StoredField("stored-bytes", new byte[] {1, (byte) i}));
    f.add(new StoredField("stored-text", "é-" + i));
    f.add(new KnnFloatVectorField("app-vector", appVector, VectorSimilarityFunction.EUCLIDEAN));
    f.add(new KnnByteVectorField("app-bytes", new byte[] {(byte) i, 2, 3}, VectorSimilarityFunction.EUCLIDEAN));
    return f;
  }

  public void testReindexedDocumentsHoldExactlyTheirFields() throws Exception {
    Random r = random();
    PefaSchema schema = PefaSchema.builder(DIM).build();
    int docs = 20 + r.nextInt(30);
    long seed = r.nextLong();
    try (Directory pefaDir = newDirectory();
        Directory plainDir = newDirectory()) {
      try (PefaIndexWriter w = PefaIndexWriter.open(pefaDir, schema, new IndexWriterConfig(new MockAnalyzer(new Random(seed))));
          IndexWriter plain = new IndexWriter(plainDir, new IndexWriterConfig(new MockAnalyzer(new Random(seed))).setCodec(new Pefa01Codec()))) {
        Random fields = new Random(seed);
        for (int i = 0; i < docs; i++) {
          List<IndexableField> app = applicationFields(fields, i);
          w.addDocument("k" + i, TestLiveMemory.vector(r), app);
          Document doc = new Document();
          app.forEach(doc::add);
          plain.addDocument(doc);
        }
        w.commit();
        // every document's labels change: each is indexed again from its recorded fields, twice
        for (int round = 0; round < 2; round++) {
          for (int i = 0; i < docs; i++) {
            w.addTrainingPair("q" + round + "-" + i, TestLiveMemory.vector(r), "k" + i);
          }
          w.flush();
        }
      }
      try (DirectoryReader pefa = PefaDirectoryReader.open(pefaDir);
          DirectoryReader plain = DirectoryReader.open(plainDir)) {
        Map<String, String> expected = describeAll(plain);
        Map<String, String> got = describeAll(pefa);
        assertEquals(expected.keySet(), got.keySet());
        for (String id : expected.keySet()) {
          assertEquals(id, expected.get(id), got.get(id));
        }
      }
    }
  }

  /** Every live document's full description by its "id", PEFA's own fields left out. */
  static Map<String, String> describeAll(DirectoryReader reader) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (LeafReaderContext ctx : reader.leaves()) {
      LeafReader leaf = ctx.reader();
      for (int doc = 0; doc < leaf.maxDoc(); doc++) {
        if (leaf.getLiveDocs() != null && leaf.getLiveDocs().get(doc) == false) {
          continue;
        }
        String id = leaf.storedFields().document(doc).get("id");
        out.put(id, describe(leaf, doc));
      }
    }
    return out;
  }

  static String describe(LeafReader leaf, int doc) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (IndexableField f : leaf.storedFields().document(doc)) {
      if (f.name().startsWith("pefa.") == false) {
        sb.append("stored ").append(f.name()).append('=').append(f.storedValue().getType()).append(':')
            .append(f.stringValue() != null ? f.stringValue() : f.numericValue() != null ? f.numericValue() : f.binaryValue())
            .append('\n');
      }
    }
    List<FieldInfo> infos = new ArrayList<>();
    leaf.getFieldInfos().forEach(infos::add);
    infos.sort((a, b) -> a.name.compareTo(b.name));
    for (FieldInfo fi : infos) {
      if (fi.name.startsWith("pefa.")) {
        continue;
      }
      sb.append("field ").append(fi.name).append(' ').append(fi.getIndexOptions()).append(' ')
          .append(fi.getDocValuesType()).append(' ').append(fi.docValuesSkipIndexType()).append(' ')
          .append(fi.getPointDimensionCount()).append(' ').append(fi.hasTermVectors()).append(' ')
          .append(fi.omitsNorms()).append(' ').append(fi.getVectorDimension()).append(' ')
          .append(fi.getAttribute("app.attribute")).append('\n');
      if (fi.getIndexOptions() != IndexOptions.NONE) {
        Terms terms = leaf.terms(fi.name);
        TermsEnum te = terms.iterator();
        PostingsEnum pe = null;
        for (BytesRef t = te.next(); t != null; t = te.next()) {
          pe = te.postings(pe, PostingsEnum.ALL);
          if (pe.advance(doc) == doc) {
            sb.append(" term ").append(t.utf8ToString()).append(" freq ").append(pe.freq());
            if (fi.getIndexOptions().compareTo(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS) >= 0) {
              for (int p = 0; p < pe.freq(); p++) {
                sb.append(" @").append(pe.nextPosition()).append('[').append(pe.startOffset()).append(',').append(pe.endOffset()).append(']');
              }
            }
            sb.append('\n');
          }
        }
        NumericDocValues norms = leaf.getNormValues(fi.name);
        if (norms != null && norms.advanceExact(doc)) {
          sb.append(" norm ").append(norms.longValue()).append('\n');
        }
        var tv = leaf.termVectors().get(doc, fi.name);
        if (tv != null) {
          TermsEnum tve = tv.iterator();
          for (BytesRef t = tve.next(); t != null; t = tve.next()) {
            sb.append(" vector-term ").append(t.utf8ToString()).append(' ').append(tve.totalTermFreq()).append('\n');
          }
        }
      }
      if (fi.getDocValuesType() == DocValuesType.NUMERIC) {
        NumericDocValues v = leaf.getNumericDocValues(fi.name);
        sb.append(" dv ").append(v.advanceExact(doc) ? v.longValue() : "-").append('\n');
      } else if (fi.getDocValuesType() == DocValuesType.SORTED_NUMERIC) {
        SortedNumericDocValues v = leaf.getSortedNumericDocValues(fi.name);
        if (v.advanceExact(doc)) {
          for (int i = 0; i < v.docValueCount(); i++) {
            sb.append(" dv ").append(v.nextValue());
          }
        }
        sb.append('\n');
      } else if (fi.getDocValuesType() == DocValuesType.SORTED) {
        SortedDocValues v = leaf.getSortedDocValues(fi.name);
        sb.append(" dv ").append(v.advanceExact(doc) ? v.lookupOrd(v.ordValue()).utf8ToString() : "-").append('\n');
      } else if (fi.getDocValuesType() == DocValuesType.SORTED_SET) {
        SortedSetDocValues v = leaf.getSortedSetDocValues(fi.name);
        if (v.advanceExact(doc)) {
          for (int i = 0; i < v.docValueCount(); i++) {
            sb.append(" dv ").append(v.lookupOrd(v.nextOrd()).utf8ToString());
          }
        }
        sb.append('\n');
      } else if (fi.getDocValuesType() == DocValuesType.BINARY) {
        BinaryDocValues v = leaf.getBinaryDocValues(fi.name);
        sb.append(" dv ").append(v.advanceExact(doc) ? v.binaryValue() : "-").append('\n');
      }
      if (fi.getPointDimensionCount() > 0) {
        PointValues points = leaf.getPointValues(fi.name);
        List<String> values = new ArrayList<>();
        points.intersect(
            new PointValues.IntersectVisitor() {
              @Override
              public void visit(int d) {}

              @Override
              public void visit(int d, byte[] packed) {
                if (d == doc) {
                  values.add(new BytesRef(packed).toString());
                }
              }

              @Override
              public PointValues.Relation compare(byte[] min, byte[] max) {
                return PointValues.Relation.CELL_CROSSES_QUERY;
              }
            });
        sb.append(" points ").append(values).append('\n');
      }
      if (fi.getVectorDimension() > 0) {
        switch (fi.getVectorEncoding()) {
          case FLOAT32 -> {
            FloatVectorValues v = leaf.getFloatVectorValues(fi.name);
            KnnVectorValues.DocIndexIterator it = v.iterator();
            sb.append(" vector ").append(it.advance(doc) == doc ? java.util.Arrays.toString(v.vectorValue(it.index())) : "-").append('\n');
          }
          case BYTE -> {
            ByteVectorValues v = leaf.getByteVectorValues(fi.name);
            KnnVectorValues.DocIndexIterator it = v.iterator();
            sb.append(" vector ").append(it.advance(doc) == doc ? java.util.Arrays.toString(v.vectorValue(it.index())) : "-").append('\n');
          }
        }
      }
    }
    return sb.toString();
  }

  /** Sanity: the description sees a difference in any one of the kinds of data it compares. */
  public void testTheDescriptionSeesADifference() throws Exception {
    try (Directory a = newDirectory();
        Directory b = newDirectory()) {
      for (Directory d : new Directory[] {a, b}) {
        try (IndexWriter w = new IndexWriter(d, new IndexWriterConfig(new MockAnalyzer(random())))) {
          List<IndexableField> fields = applicationFields(new Random(1), 0);
          Document doc = new Document();
          fields.forEach(doc::add);
          if (d == b) {
            doc.add(new TextField("body", "extra", Field.Store.NO)); // one more position
          }
          w.addDocument(doc);
        }
      }
      try (DirectoryReader ra = DirectoryReader.open(a);
          DirectoryReader rb = DirectoryReader.open(b)) {
        assertNotEquals(describeAll(ra), describeAll(rb));
      }
    }
    assertEquals(DocIdSetIterator.NO_MORE_DOCS, Integer.MAX_VALUE);
  }
}
