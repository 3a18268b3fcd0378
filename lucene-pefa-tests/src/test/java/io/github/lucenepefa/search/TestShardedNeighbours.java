package io.github.lucenepefa.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.lucenepefa.index.PefaIndexWriter;
import io.github.lucenepefa.index.PefaSchema;
import io.github.lucenepefa.index.PefaVectors;
import io.github.lucenepefa.scoring.PefaScoring;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * The sharding plan of docs/architecture.md: memory rows and documents spread over shards; each
 * shard returns its top-k rows, the coordinator keeps the global top-k (the exact global N_k(q)),
 * and every shard scores its documents with those neighbours. With every document an ERM candidate
 * (K >= docs), the merged shard results equal the single index's, key for key and score for score.
 */
class TestShardedNeighbours {

  @Test
  void shardsWithGlobalNeighboursEqualOneIndex() throws Exception {
    Random r = new Random(7);
    int dim = 8, docs = 120, rows = 150, shards = 3;
    PefaSchema schema = PefaSchema.builder(dim).build();
    List<float[]> docVectors = new ArrayList<>();
    for (int i = 0; i < docs; i++) {
      docVectors.add(random(r, dim));
    }
    Directory whole = new ByteBuffersDirectory();
    Directory[] parts = new Directory[shards];
    PefaIndexWriter all = PefaIndexWriter.open(whole, schema);
    PefaIndexWriter[] shard = new PefaIndexWriter[shards];
    for (int s = 0; s < shards; s++) {
      parts[s] = new ByteBuffersDirectory();
      shard[s] = PefaIndexWriter.open(parts[s], schema);
    }
    for (int i = 0; i < rows; i++) {
      float[] x = random(r, dim);
      Map<String, Float> labels = Map.of("d" + r.nextInt(docs / 2), 1f, "d" + (docs / 2 + r.nextInt(docs / 2)), 2f);
      all.addTrainingQuery("t" + i, x, labels);
      shard[i % shards].addTrainingQuery("t" + i, x, labels); // rows routed by id
    }
    for (int i = 0; i < docs; i++) {
      all.addDocument("d" + i, docVectors.get(i));
      shard[(i * 7) % shards].addDocument("d" + i, docVectors.get(i)); // docs routed differently
    }
    all.close();
    for (PefaIndexWriter w : shard) {
      w.close();
    }
    DirectoryReader wholeReader = DirectoryReader.open(whole);
    IndexSearcher wholeSearcher = new IndexSearcher(wholeReader);
    IndexSearcher[] shardSearchers = new IndexSearcher[shards];
    for (int s = 0; s < shards; s++) {
      shardSearchers[s] = new IndexSearcher(DirectoryReader.open(parts[s]));
    }
    for (int t = 0; t < 20; t++) {
      float[] q = random(r, dim);
      int k = 1 + r.nextInt(20);
      // phase 1: each shard's top-k rows; the coordinator keeps the global top-k
      List<Neighbour> union = new ArrayList<>();
      for (IndexSearcher s : shardSearchers) {
        union.addAll(TrainingQueryMemory.nearest(s, schema, q, k, AnnEffort.EXHAUSTIVE));
      }
      List<Neighbour> global = PefaScoring.topNeighbours(union, k);
      assertEquals(TrainingQueryMemory.nearest(wholeSearcher, schema, q, k, AnnEffort.EXHAUSTIVE), global);
      // phase 2: every shard scores its documents with the global neighbours; merge by score
      List<String> merged = new ArrayList<>();
      List<ScoreDoc> mergedHits = new ArrayList<>();
      for (IndexSearcher s : shardSearchers) {
        PefaQuery query = PefaQuery.xl(schema, q, 15).lambda(0.3f).k(k).topK(docs).effort(AnnEffort.EXHAUSTIVE).neighbours(global).build();
        for (ScoreDoc sd : s.search(query, 15).scoreDocs) {
          mergedHits.add(new ScoreDoc(sd.doc, sd.score));
          merged.add(s.storedFields().document(sd.doc).get(schema.keyField()) + "=" + sd.score);
        }
      }
      List<String> sorted = new ArrayList<>(merged);
      sorted.sort((a, b) -> Float.compare(Float.parseFloat(b.split("=")[1]), Float.parseFloat(a.split("=")[1])));
      List<String> expected = new ArrayList<>();
      PefaQuery one = PefaQuery.xl(schema, q, 15).lambda(0.3f).k(k).topK(docs).effort(AnnEffort.EXHAUSTIVE).build();
      for (ScoreDoc sd : wholeSearcher.search(one, 15).scoreDocs) {
        expected.add(wholeSearcher.storedFields().document(sd.doc).get(schema.keyField()) + "=" + sd.score);
      }
      assertEquals(expected, sorted.subList(0, expected.size()), "query " + t);
    }
    wholeReader.close();
    for (IndexSearcher s : shardSearchers) {
      s.getIndexReader().close();
    }
  }

  static float[] random(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return PefaVectors.normalize(v);
  }
}
