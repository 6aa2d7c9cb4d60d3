package io.swak.plugins.http;

import io.swak.core.testing.OutputContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** out.Http passes the output contract against a real HTTP server: broken answers 503, rejecting answers 400. */
class HttpOutputContractTest extends OutputContract {

  private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

  @Override
  protected Destination destination(Path dir) throws Exception {
    HttpReceiver server = new HttpReceiver();
    return new Destination() {
      @Override
      public String step() {
        return "out.Http: {url: \"" + server.url("/contract") + "\", format: ndjson, envelope: false}";
      }

      @Override
      public List<Long> received() {
        List<Long> seqs = new ArrayList<>();
        for (HttpReceiver.Request r : server.requests) {
          Matcher m = SEQ.matcher(r.text());
          while (m.find()) {
            seqs.add(Long.parseLong(m.group(1)));
          }
        }
        return seqs;
      }

      @Override
      public boolean breakDown() {
        server.status = 503;
        return true;
      }

      @Override
      public void repair() {
        server.status = 200;
      }

      @Override
      public boolean rejectAll() {
        server.status = 400;
        return true;
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }
}
