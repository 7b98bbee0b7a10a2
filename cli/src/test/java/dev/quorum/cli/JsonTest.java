package dev.quorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    assertThat(Json.quote("say \"hi\"\\ now")).isEqualTo("\"say \\\"hi\\\"\\\\ now\"");
    assertThat(Json.quote("a\nb\rc\td\b\f")).isEqualTo("\"a\\nb\\rc\\td\\b\\f\"");
    assertThat(Json.quote("\u0000\u001f")).isEqualTo("\"\\u0000\\u001f\"");
    assertThat(Json.quote("\u2028")).isEqualTo("\"\\u2028\"");
  }

  @Test
  void leavesOtherUnicodeAlone() {
    assertThat(Json.quote("värde ✓ 😀")).isEqualTo("\"värde ✓ 😀\"");
  }

  @Test
  void writesObjectsInInsertionOrderWithAllValueKinds() {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("h1", "v1");
    headers.put("h2", null);

    String json =
        Json.object()
            .put("s", "x")
            .put("n", 42L)
            .put("b", true)
            .put("nothing", null)
            .put("list", List.of(1, 2))
            .put("map", headers)
            .put("nested", Json.object().put("k", "v"))
            .put("empty", Json.object())
            .toString();

    assertThat(json)
        .isEqualTo(
            "{\"s\":\"x\",\"n\":42,\"b\":true,\"nothing\":null,\"list\":[1,2],"
                + "\"map\":{\"h1\":\"v1\",\"h2\":null},\"nested\":{\"k\":\"v\"},\"empty\":{}}");
  }
}
