package io.github.lucenepefa.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.lucenepefa.cli.index.IndexInfo;
import io.github.lucenepefa.codec.PefaQuantization;
import io.github.lucenepefa.index.PefaSchema;
import java.nio.file.Path;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;

/**
 * {@code pefa index --quantization}: recorded in pefa-index.json and in the index's schema, a different value
 * rebuilds the index, and eval/search take {@code --oversample}.
 */
class QuantizationOptionTest {

  @Test
  void quantizationIsRecordedAndAnotherValueRebuilds() throws Exception {
    Path work = CliRunner.work("quantization");
    Path data = CliRunner.tinyDataset(work.resolve("data"));
    Path index = work.resolve("index");
    String[] common = {"--data", data.toString(), "--cache", work.resolve("cache").toString(), "--index",
        index.toString(), "--chunks", "2", "--chunk-words", "4"};

    CliRunner.Result r = CliRunner.run(CliEndToEndTest.cat(new String[] {"index", "--quantization", "int8"}, common));
    assertEquals(0, r.code(), r.err());
    assertEquals("int8", IndexInfo.read(index).quantization());
    try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(index))) {
      PefaSchema schema = PefaSchema.read(reader);
      assertEquals(PefaQuantization.INT8, schema.ermQuantization());
      assertEquals(PefaQuantization.INT8, schema.memoryQuantization());
    }

    Path out = work.resolve("eval");
    r = CliRunner.run(CliEndToEndTest.cat(new String[] {"eval", "--quantization", "int8", "--ef", "10",
        "--oversample", "2", "--no-sweep", "--out", out.toString()}, common));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("is up to date"), r.err());
    JsonNode m = new JsonMapper().readTree(out.resolve("metrics.json").toFile());
    assertEquals("int8", m.path("params").path("quantization").asText());
    assertEquals(2.0, m.path("params").path("oversample").asDouble(), 0);

    r = CliRunner.run(CliEndToEndTest.cat(new String[] {"search", "--ef", "10", "--oversample", "3", "-n", "3",
        "aspirin bleeding"}, new String[] {"--data", data.toString(), "--cache", work.resolve("cache").toString(),
        "--index", index.toString()}));
    assertEquals(0, r.code(), r.err());

    // eval without --quantization wants an unquantized index: it rebuilds
    r = CliRunner.run(CliEndToEndTest.cat(new String[] {"eval", "--no-sweep", "--out", out.toString()}, common));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("rebuilding"), r.err());
    assertEquals("none", IndexInfo.read(index).quantization());
  }
}
