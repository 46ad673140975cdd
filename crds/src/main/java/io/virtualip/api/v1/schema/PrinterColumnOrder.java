package io.virtualip.api.v1.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a generated CRD's {@code additionalPrinterColumns} in the order in which the resource class
 * declares its {@code @AdditionalPrinterColumn} annotations. kubectl shows the columns in CRD
 * order, but fabric8's crd-generator 7.5.2 sorts them by jsonPath (its {@code
 * AbstractCustomResourceHandler} collects them in a TreeMap) and has neither an annotation
 * attribute nor a plugin option to change that.
 *
 * <p>Run by the build right after the generator, in process-classes (crds/pom.xml), on the
 * generated file in place. It moves whole list items of the YAML text, so everything else stays
 * byte for byte as the generator wrote it, and then checks that the result parses to the same
 * document except for the order of the columns.
 */
public final class PrinterColumnOrder {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern COLUMNS_KEY =
      Pattern.compile("^( *)(- )?additionalPrinterColumns:$");

  private PrinterColumnOrder() {}

  /** Arguments: the custom resource class, then the generated CRD file to rewrite. */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException(
          "usage: PrinterColumnOrder <resource class> <generated CRD file>");
    }
    List<String> order = declaredOrder(Class.forName(args[0]));
    Path file = Path.of(args[1]);
    String generated = Files.readString(file, StandardCharsets.UTF_8);
    String reordered = reorder(generated, order);
    if (!reordered.equals(generated)) {
      Files.writeString(file, reordered, StandardCharsets.UTF_8);
    }
  }

  /**
   * The column names in the order of the class's annotations (javac keeps repeated annotations in
   * source order).
   */
  public static List<String> declaredOrder(Class<?> resource) {
    return Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
  }

  /**
   * Reorders every {@code additionalPrinterColumns} list in the CRD text (one per version) by
   * {@code order}.
   *
   * @throws IllegalStateException when a column is not in {@code order}, or the result is not the
   *     same document
   */
  public static String reorder(String crd, List<String> order) {
    String[] lines = crd.split("\n", -1);
    List<String> out = new ArrayList<>(lines.length);
    int i = 0;
    while (i < lines.length) {
      out.add(lines[i]);
      Matcher key = COLUMNS_KEY.matcher(lines[i++]);
      if (!key.matches()) {
        continue;
      }
      // The list's items start with "- " at one indentation; their other lines are indented
      // further.
      int keyIndent = key.group(1).length() + (key.group(2) == null ? 0 : 2);
      int dashIndent = i < lines.length ? indent(lines[i]) : 0;
      List<List<String>> items = new ArrayList<>();
      while (i < lines.length && dashIndent >= keyIndent && isItemLine(lines[i], dashIndent)) {
        if (lines[i].startsWith("- ", dashIndent)) {
          items.add(new ArrayList<>());
        }
        items.get(items.size() - 1).add(lines[i++]);
      }
      items.stream()
          .sorted(Comparator.comparingInt(item -> position(order, name(item, dashIndent))))
          .forEach(out::addAll);
    }
    String result = String.join("\n", out);
    verify(crd, result, order);
    return result;
  }

  private static boolean isItemLine(String line, int dashIndent) {
    return line.startsWith("- ", dashIndent) && indent(line) == dashIndent
        || indent(line) > dashIndent;
  }

  private static int indent(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }

  /**
   * The item's name, read by parsing its lines as YAML so that quoting and line folding do not
   * matter.
   */
  private static String name(List<String> item, int dashIndent) {
    String text = String.join("\n", item.stream().map(l -> l.substring(dashIndent)).toList());
    return read(text).path(0).path("name").asText();
  }

  private static int position(List<String> order, String name) {
    int at = order.indexOf(name);
    if (at < 0) {
      throw new IllegalStateException(
          "printer column "
              + name
              + " is not declared with @AdditionalPrinterColumn, "
              + "so its place is unknown; declared: "
              + order);
    }
    return at;
  }

  /**
   * The rewritten text must be the generated document with each version's columns sorted by {@code
   * order}.
   */
  private static void verify(String generated, String reordered, List<String> order) {
    JsonNode expected = read(generated);
    for (JsonNode version : expected.path("spec").path("versions")) {
      if (version.path("additionalPrinterColumns") instanceof ArrayNode columns) {
        List<JsonNode> sorted = new ArrayList<>();
        columns.forEach(sorted::add);
        sorted.sort(Comparator.comparingInt(c -> position(order, c.path("name").asText())));
        ((ObjectNode) version)
            .set("additionalPrinterColumns", YAML.createArrayNode().addAll(sorted));
      }
    }
    if (!expected.equals(read(reordered))) {
      throw new IllegalStateException(
          "reordering the printer columns changed more than their order");
    }
  }

  private static JsonNode read(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
