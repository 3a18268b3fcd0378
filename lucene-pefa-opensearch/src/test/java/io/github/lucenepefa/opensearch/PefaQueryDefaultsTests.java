package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.search.AnnEffort;
import io.github.lucenepefa.search.PefaMode;
import java.io.IOException;
import java.util.List;
import org.opensearch.action.search.SearchRequest;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.index.query.QueryCoordinatorContext;
import org.opensearch.search.SearchModule;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.test.OpenSearchTestCase;

/**
 * The {@code pefa} query's defaults follow the hits asked ({@code num_candidates} = the request's
 * {@code from + size}; {@code top_k} and {@code ef_search} the core's for that {@code n}), explicit
 * values win; the builder with its whole-search statistics and lexical clause survives the wire
 * and its JSON.
 */
public class PefaQueryDefaultsTests extends OpenSearchTestCase {

  private static final float[] V = {0.6f, 0.8f};

  private static SearchModule module() {
    return new SearchModule(Settings.EMPTY, List.of(new PefaPlugin()));
  }

  public void testDefaultsFollowN() {
    PefaQueryBuilder xl = new PefaQueryBuilder("f", true, V);
    assertEquals(PefaQueryBuilder.DEFAULT_HITS, xl.numCandidatesOrDefault());
    assertEquals(10, xl.topKOrDefault());
    assertEquals(AnnEffort.defaultEf(PefaMode.XL, 10), xl.efSearchOrDefault());
    assertEquals(15, xl.efSearchOrDefault());
    PefaQueryBuilder xs = new PefaQueryBuilder("f", false, V).numCandidates(40);
    assertEquals(AnnEffort.defaultEf(PefaMode.XS, 40), xs.efSearchOrDefault());
    assertEquals(120, xs.efSearchOrDefault());
    xl.numCandidates(100);
    assertEquals(100, xl.topKOrDefault());
    assertEquals(150, xl.efSearchOrDefault());
    xl.topK(7).efSearch(200);
    assertEquals(7, xl.topKOrDefault());
    assertEquals(200, xl.efSearchOrDefault());
  }

  public void testHitsOfTheSearchRequest() {
    assertEquals(30, hits(new SearchSourceBuilder().from(20).size(10)));
    assertEquals(10, hits(new SearchSourceBuilder()));
    assertEquals(5, hits(new SearchSourceBuilder().size(5)));
    assertEquals(10, hits(new SearchSourceBuilder().size(0))); // no hits asked: the default
    assertEquals(10, PefaQueryPhases.hits(new QueryCoordinatorContext(null, new SearchRequest("i")), 10));
  }

  private static int hits(SearchSourceBuilder source) {
    return PefaQueryPhases.hits(
        new QueryCoordinatorContext(null, new SearchRequest("i").source(source)), 10);
  }

  public void testWireAndJsonRoundTrip() throws IOException {
    PefaQueryBuilder b =
        new PefaQueryBuilder("f", true, V)
            .memoryIndex("m")
            .ermTopKOnly(true)
            .lambda(0.3f)
            .k(8)
            .topK(40)
            .knnMean(true)
            .softmax(true)
            .temperature(0.5f)
            .efSearch(64)
            .exact(true)
            .oversample(2f)
            .filter(QueryBuilders.termQuery("c", "x"))
            .lexical(QueryBuilders.matchQuery("text", "a b"), 0.25f);
    NamedWriteableRegistry registry = new NamedWriteableRegistry(module().getNamedWriteables());
    PefaQueryBuilder resolved = b.copy();
    resolved.stats = new GlobalStats(0.5f, null, 3.25f, 1.5f);
    resolved.numCandidates(30);
    PefaQueryBuilder copy = copyWriteable(resolved, registry, PefaQueryBuilder::new);
    assertEquals(resolved, copy);
    assertEquals(resolved.hashCode(), copy.hashCode());
    assertEquals(new GlobalStats(0.5f, null, 3.25f, 1.5f), copy.stats);
    resolved.stats = GlobalStats.ONE_SHARD;
    assertEquals(GlobalStats.ONE_SHARD, copyWriteable(resolved, registry, PefaQueryBuilder::new).stats);

    NamedXContentRegistry xcontent = new NamedXContentRegistry(module().getNamedXContents());
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(
            xcontent,
            org.opensearch.core.xcontent.DeprecationHandler.THROW_UNSUPPORTED_OPERATION,
            b.toString())) {
      parser.nextToken();
      parser.nextToken();
      parser.nextToken();
      PefaQueryBuilder parsed = PefaQueryBuilder.fromXContent(parser);
      assertEquals(b, parsed);
    }
  }
}
