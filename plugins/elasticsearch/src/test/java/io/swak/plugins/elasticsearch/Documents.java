package io.swak.plugins.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What an index of the real node holds, read back with its search API (tests). */
final class Documents {

  private static final JsonFactory JSON = new JsonFactory();
  private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

  private Documents() { }

  /** Every document's _source as JSON text, in the order the shard took them (its sequence numbers). */
  static List<String> sources(OpenSearchNode os, String index) {
    os.request("POST", "/" + index + "/_refresh", null, -1);
    List<String> out = new ArrayList<>();
    String after = null;
    while (true) {
      String body = "{\"size\":5000,\"sort\":[{\"_seq_no\":{\"order\":\"asc\",\"unmapped_type\":\"long\"}}]" + (after == null ? "" : ",\"search_after\":["
          + after + "]") + "}";
      var rsp = os.send("POST", "/" + index + "/_search?filter_path=hits.hits._source,hits.hits.sort", body);
      if (rsp.statusCode() == 404) {
        return out;
      }
      if (rsp.statusCode() != 200) {
        throw new IllegalStateException("search " + index + ": " + rsp.statusCode() + " " + rsp.body());
      }
      int before = out.size();
      after = page(rsp.body(), out, after);
      if (out.size() == before) {
        return out;
      }
    }
  }

  /** The seq field of every document, in the order the shard took them. */
  static List<Long> seqs(OpenSearchNode os, String index) {
    List<Long> seqs = new ArrayList<>();
    for (String s : sources(os, index)) {
      Matcher m = SEQ.matcher(s);
      if (m.find()) {
        seqs.add(Long.parseLong(m.group(1)));
      }
    }
    return seqs;
  }

  static long count(OpenSearchNode os, String index) {
    os.request("POST", "/" + index + "/_refresh", null, -1);
    String body = os.request("GET", "/" + index + "/_count", null, 200);
    Matcher m = Pattern.compile("\"count\":(\\d+)").matcher(body);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static String page(String body, List<String> out, String after) {
    try (JsonParser p = JSON.createParser(body)) {
      String last = after;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME && p.currentName().equals("_source")) {
          p.nextToken();
          StringWriter w = new StringWriter();
          try (JsonGenerator g = JSON.createGenerator(w)) {
            g.copyCurrentStructure(p);
          }
          out.add(w.toString());
        } else if (t == JsonToken.FIELD_NAME && p.currentName().equals("sort")) {
          p.nextToken();
          p.nextToken();
          last = p.getText();
          p.nextToken();
        }
      }
      return last;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
