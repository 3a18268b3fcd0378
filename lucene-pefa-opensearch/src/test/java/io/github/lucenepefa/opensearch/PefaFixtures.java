package io.github.lucenepefa.opensearch;

import io.github.lucenepefa.opensearch.SingleIndexOracle.Row;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.index.IndexService;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.indices.IndicesService;
import org.opensearch.test.InternalTestCluster;
import org.opensearch.transport.client.Client;

/**
 * Fixtures that the OpenSearch tests share: the settings of an index with the {@code pefa} codec,
 * the mapping of one PEFA field, the JSON of a training-memory row, and the shard copies of an
 * index in a test cluster.
 */
final class PefaFixtures {

  private PefaFixtures() {}

  /** An index of {@code shards} shards, {@code replicas} replicas each, with the {@code pefa} codec. */
  static Settings.Builder pefaIndex(int shards, int replicas) {
    return Settings.builder()
        .put("index.number_of_shards", shards)
        .put("index.number_of_replicas", replicas)
        .put("index.codec", "pefa");
  }

  /** A mapping of one field {@code field} of {@code type} ({@code pefa_vector}, {@code pefa_memory}) and dimension {@code dim}. */
  static String mapping(String field, String type, int dim) {
    return "{\"properties\": {\"" + field + "\": {\"type\": \"" + type + "\", \"dimension\": " + dim + "}}}";
  }

  /** The source of a memory row: {@code {field: {vector, labels}}}. */
  static XContentBuilder rowSource(String field, Row row) throws IOException {
    return JsonXContent.contentBuilder()
        .startObject()
        .startObject(field)
        .array("vector", row.vector())
        .field("labels", row.labels())
        .endObject()
        .endObject();
  }

  /** Adds to {@code bulk} the index requests of {@code rows}, by id, to the memory index {@code memory}. */
  static void addRows(Client client, BulkRequestBuilder bulk, String memory, String field, List<Row> rows)
      throws IOException {
    for (Row r : rows) {
      bulk.add(client.prepareIndex(memory).setId(r.id()).setSource(rowSource(field, r)));
    }
  }

  /** Every copy of every shard of {@code index} on the cluster's data nodes. */
  static List<IndexShard> shards(InternalTestCluster cluster, String index) {
    List<IndexShard> shards = new ArrayList<>();
    for (IndicesService indices : cluster.getDataNodeInstances(IndicesService.class)) {
      for (IndexService service : indices) {
        if (service.index().getName().equals(index)) {
          service.forEach(shards::add);
        }
      }
    }
    return shards;
  }
}
