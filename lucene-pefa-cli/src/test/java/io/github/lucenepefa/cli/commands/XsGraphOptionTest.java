package io.github.lucenepefa.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.codec.Pefa01VectorsFormat;
import io.github.lucenepefa.index.PefaSchema;
import java.nio.file.Path;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;

/**
 * {@code pefa index --xs-hnsw-m}: the PEFA-XS graph's maxConn (default {@link PefaSchema#DEFAULT_XS_MAX_CONN}) is
 * recorded in pefa-index.json and in the segments, another value rebuilds the index, and an index folder written
 * before the option (its three graphs with {@code --hnsw-m}) reads as such.
 */
class XsGraphOptionTest {

  @Test
  void xsMaxConnIsRecordedAndAnotherValueRebuilds() throws Exception {
    Path work = CliRunner.work("xs-graph");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    Path index = work.resolve("index");
    String[] common = {"--data", data.toString(), "--cache", work.resolve("cache").toString(), "--index",
        index.toString(), "--chunks", "2", "--chunk-words", "4"};

    CliRunner.Result r = CliRunner.run(CliEndToEndTest.cat(new String[] {"index"}, common));
    assertEquals(0, r.code(), r.err());
    assertEquals(16, IndexInfo.read(index).hnswM());
    assertEquals(32, IndexInfo.read(index).xsHnswM());
    assertXsMaxConn(index, 16, 32);
    r = CliRunner.run(CliEndToEndTest.cat(new String[] {"index", "--if-needed"}, common));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("is up to date"), r.err());

    r = CliRunner.run(CliEndToEndTest.cat(new String[] {"index", "--if-needed", "--hnsw-m", "8", "--xs-hnsw-m", "24"},
        common));
    assertEquals(0, r.code(), r.err());
    assertFalse(r.err().contains("is up to date"), r.err());
    assertEquals(24, IndexInfo.read(index).xsHnswM());
    assertXsMaxConn(index, 8, 24);

    // a folder of an older build has no xsHnswM: its PEFA-XS graph has hnswM, so the default rebuilds it
    ObjectNode info = (ObjectNode) new JsonMapper().readTree(index.resolve(IndexInfo.FILE).toFile());
    info.remove("xsHnswM");
    info.put("hnswM", 16);
    new JsonMapper().writeValue(index.resolve(IndexInfo.FILE).toFile(), info);
    IndexInfo old = IndexInfo.read(index);
    assertEquals(16, old.xsHnswM());
    assertFalse(old.sameSettings(old.withCounts(0, 0, 0, 0).withXsHnswM(32)));
    r = CliRunner.run(CliEndToEndTest.cat(new String[] {"index", "--if-needed"}, common));
    assertEquals(0, r.code(), r.err());
    assertFalse(r.err().contains("is up to date"), r.err());
    assertEquals(32, IndexInfo.read(index).xsHnswM());
    assertXsMaxConn(index, 16, 32);
  }

  private static void assertXsMaxConn(Path index, int erm, int xs) throws Exception {
    try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(index))) {
      PefaSchema schema = PefaSchema.read(reader);
      int checked = 0;
      for (LeafReaderContext leaf : reader.leaves()) {
        FieldInfo e = leaf.reader().getFieldInfos().fieldInfo(schema.ermField());
        FieldInfo x = leaf.reader().getFieldInfos().fieldInfo(schema.xsVectorField());
        if (e != null && x != null) {
          assertEquals(Integer.toString(erm), e.getAttribute(Pefa01VectorsFormat.MAX_CONN_ATTRIBUTE));
          assertEquals(Integer.toString(xs), x.getAttribute(Pefa01VectorsFormat.MAX_CONN_ATTRIBUTE));
          checked++;
        }
      }
      assertTrue(checked > 0);
    }
  }
}
