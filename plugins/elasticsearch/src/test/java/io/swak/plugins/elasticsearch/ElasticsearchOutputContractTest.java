package io.swak.plugins.elasticsearch;

import io.swak.core.testing.OutputContract;
import java.nio.file.Path;
import java.util.List;

/** out.Elasticsearch against a real OpenSearch node passes the contract of every output. */
class ElasticsearchOutputContractTest extends OutputContract {

  @Override
  protected Destination destination(Path dir) {
    OpenSearchNode os = SharedOpenSearch.node();
    String index = "contract-" + id;
    os.request("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":1}}", 200);
    return new Destination() {
      @Override
      public String step() {
        return "out.Elasticsearch: {hosts: [\"" + os.httpUrl() + "\"], index: \"" + index + "\"}";
      }

      @Override
      public List<Long> received() {
        return Documents.seqs(os, index);
      }

      /** A write block (as an operator or a disk over its flood stage sets): items answer 403 until lifted. */
      @Override
      public boolean breakDown() {
        os.request("PUT", "/" + index + "/_settings", "{\"index.blocks.write\":true}", 200);
        return true;
      }

      @Override
      public void repair() {
        os.request("PUT", "/" + index + "/_settings", "{\"index.blocks.write\":false}", 200);
      }

      /** A strict mapping with no fields: every document is refused (400 strict_dynamic_mapping_exception). */
      @Override
      public boolean rejectAll() {
        os.request("PUT", "/" + index + "/_mapping", "{\"dynamic\":\"strict\"}", 200);
        return true;
      }

      @Override
      public void close() {
        os.request("DELETE", "/" + index, null, -1);
      }
    };
  }
}
