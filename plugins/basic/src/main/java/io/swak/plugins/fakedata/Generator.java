package io.swak.plugins.fakedata;

import io.swak.api.BatchBuilder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Makes one fake event at a time into a batch. */
abstract class Generator {

  private static final byte[] MESSAGE = BatchBuilder.key("message");

  final Random random;

  Generator(Random random) {
    this.random = random;
  }

  abstract void add(BatchBuilder b, long timeNanos);

  static Generator of(FakeDataPlugin.Type type, FakeDataPlugin.Locale locale, Random random) {
    return switch (type) {
      case PEOPLE -> new People(random, locale == FakeDataPlugin.Locale.KO ? Names.KO : Names.EN);
      case APACHE -> new AccessLog(random, false);
      case NGINX -> new AccessLog(random, true);
      case SYSLOG -> new Syslog(random);
      case JSON -> new Json(random);
    };
  }

  <T> T pick(List<T> from) {
    return from.get(random.nextInt(from.size()));
  }

  String digits(int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append((char) ('0' + random.nextInt(10)));
    }
    return sb.toString();
  }

  String ip() {
    return (1 + random.nextInt(223)) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
        + (1 + random.nextInt(254));
  }

  /** Formats the second of a time once, not once per line. */
  static final class SecondClock {
    private long second = Long.MIN_VALUE;
    private String text;

    String format(long timeNanos, DateTimeFormatter f) {
      long sec = Math.floorDiv(timeNanos, 1_000_000_000L);
      if (sec != second) {
        second = sec;
        text = ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(sec), ZoneOffset.UTC).format(f);
      }
      return text;
    }
  }

  /** Events that are one line of text in {@code message}, as a file input would produce them. */
  abstract static class Lines extends Generator {
    final SecondClock clock = new SecondClock();

    Lines(Random random) {
      super(random);
    }

    abstract String line(long timeNanos);

    @Override
    void add(BatchBuilder b, long timeNanos) {
      byte[] line = line(timeNanos).getBytes(StandardCharsets.UTF_8);
      b.addMessage(timeNanos, MESSAGE, line, 0, line.length);
    }
  }

  /** Word lists for person records in one language. */
  record Names(List<String> first, List<String> last, List<String> streets, List<String> cities,
               List<String> companies, List<String> jobs, String phonePrefix, boolean familyFirst) {

    static final Names EN = new Names(
        List.of("James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
            "William", "Susan", "Richard", "Jessica", "Joseph", "Sarah", "Thomas", "Karen", "Daniel", "Emma"),
        List.of("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Anderson",
            "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Lee", "Harris", "Clark", "Lewis", "Walker"),
        List.of("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Rd", "Elm St", "Lake View Blvd", "Hill St"),
        List.of("Springfield, IL", "Portland, OR", "Austin, TX", "Madison, WI", "Denver, CO", "Raleigh, NC",
            "Boston, MA", "Seattle, WA"),
        List.of("Acme Corp", "Globex", "Initech", "Umbrella Inc", "Stark Industries", "Wayne Enterprises",
            "Hooli", "Vandelay Industries"),
        List.of("Software Engineer", "Accountant", "Nurse", "Teacher", "Data Analyst", "Sales Manager",
            "Graphic Designer", "Civil Engineer", "Pharmacist", "Electrician"),
        "+1-555-", false);

    static final Names KO = new Names(
        List.of("민준", "서연", "도윤", "서윤", "시우", "지우", "하준", "하은", "주원", "지호", "지민", "수아", "예준",
            "채원", "유준", "지유", "현우", "윤서", "건우", "다은"),
        List.of("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황"),
        List.of("테헤란로", "세종대로", "올림픽로", "해운대로", "중앙대로", "동성로", "충장로", "대학로"),
        List.of("서울특별시 강남구", "서울특별시 종로구", "부산광역시 해운대구", "대구광역시 중구", "인천광역시 연수구",
            "광주광역시 동구", "대전광역시 유성구", "경기도 성남시 분당구"),
        List.of("삼성전자", "현대자동차", "LG화학", "네이버", "카카오", "SK하이닉스", "포스코", "한국전력공사"),
        List.of("소프트웨어 엔지니어", "회계사", "간호사", "교사", "데이터 분석가", "영업 관리자", "디자이너", "약사"),
        "010-", true);
  }

  /** Person records: name, email, phone, address, company, job, birthday… */
  static final class People extends Generator {
    private static final List<String> DOMAINS = List.of("example.com", "example.org", "mail.example.net");
    private static final String[] ROMAN = {"kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim"};
    private final Names names;
    private long id;

    People(Random random, Names names) {
      super(random);
      this.names = names;
    }

    @Override
    void add(BatchBuilder b, long timeNanos) {
      String first = pick(names.first());
      String last = pick(names.last());
      String name = names.familyFirst() ? last + first : first + " " + last;
      String user = names.familyFirst()
          ? ROMAN[random.nextInt(ROMAN.length)] + digits(3)
          : (first.charAt(0) + last).toLowerCase(Locale.ROOT) + digits(2);
      String street = names.familyFirst()
          ? pick(names.cities()) + " " + pick(names.streets()) + " " + (1 + random.nextInt(400))
          : (1 + random.nextInt(9999)) + " " + pick(names.streets()) + ", " + pick(names.cities());
      LocalDate birthday = LocalDate.of(1950 + random.nextInt(56), 1 + random.nextInt(12), 1 + random.nextInt(28));
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", ++id);
      r.put("name", name);
      r.put("username", user);
      r.put("email", user + "@" + pick(DOMAINS));
      r.put("phone", names.phonePrefix() + digits(4) + "-" + digits(4));
      r.put("address", street);
      r.put("company", pick(names.companies()));
      r.put("job", pick(names.jobs()));
      r.put("birthday", birthday.toString());
      b.add(timeNanos, r);
    }
  }

  /** Combined-format access-log lines (nginx adds the request time). */
  static final class AccessLog extends Lines {
    private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    private static final List<String> METHODS = List.of("GET", "GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD");
    private static final List<String> PATHS = List.of("/", "/index.html", "/api/v1/users", "/api/v1/orders/1234",
        "/static/app.js", "/static/style.css", "/login", "/search?q=swak", "/images/logo.png", "/health");
    private static final List<Integer> STATUS = List.of(200, 200, 200, 200, 200, 304, 301, 404, 500, 403);
    private static final List<String> AGENTS = List.of(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "curl/8.5.0", "Go-http-client/1.1");
    private final boolean nginx;

    AccessLog(Random random, boolean nginx) {
      super(random);
      this.nginx = nginx;
    }

    @Override
    String line(long timeNanos) {
      String when = clock.format(timeNanos, CLF);
      String line = ip() + " - - [" + when + "] \"" + pick(METHODS) + " " + pick(PATHS) + " HTTP/1.1\" "
          + pick(STATUS) + " " + random.nextInt(50_000) + " \"-\" \"" + pick(AGENTS) + "\"";
      return nginx ? line + " " + (random.nextInt(2000) / 1000.0) : line;
    }
  }

  /** RFC 3164 syslog lines. */
  static final class Syslog extends Lines {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("MMM d HH:mm:ss", Locale.ROOT);
    private static final List<String> APPS = List.of("sshd", "cron", "kernel", "systemd", "nginx", "postfix");
    private static final List<String> TEXTS = List.of("Accepted publickey for deploy from 10.0.0.5 port 52113",
        "session opened for user root by (uid=0)", "Started Daily apt download activities.",
        "connection reset by peer", "disk usage at 81% on /var", "Out of memory: Killed process 4242");

    Syslog(Random random) {
      super(random);
    }

    @Override
    String line(long timeNanos) {
      String when = clock.format(timeNanos, TS);
      return "<" + (8 + random.nextInt(184)) + ">" + when + " host" + random.nextInt(10) + " " + pick(APPS) + "["
          + (100 + random.nextInt(30_000)) + "]: " + pick(TEXTS);
    }
  }

  /** Records with typed fields: strings, numbers, booleans, a list and a nested map. */
  static final class Json extends Generator {
    private static final List<String> LEVELS = List.of("debug", "info", "info", "info", "warn", "error");
    private static final List<String> TEXTS = List.of("request served", "cache miss", "user logged in",
        "payment accepted", "retrying upstream", "slow query");

    Json(Random random) {
      super(random);
    }

    @Override
    void add(BatchBuilder b, long timeNanos) {
      Map<String, Object> http = new LinkedHashMap<>();
      http.put("method", random.nextBoolean() ? "GET" : "POST");
      http.put("status", random.nextInt(10) < 8 ? 200 : 500);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("level", pick(LEVELS));
      r.put("message", pick(TEXTS));
      r.put("user_id", (long) random.nextInt(1_000_000));
      r.put("latency_ms", Math.round(random.nextDouble() * 250_000) / 1000.0);
      r.put("ok", random.nextInt(10) < 9);
      r.put("tags", List.of("web", random.nextBoolean() ? "eu" : "us"));
      r.put("http", http);
      b.add(timeNanos, r);
    }
  }
}
