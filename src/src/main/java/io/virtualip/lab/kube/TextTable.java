package io.virtualip.lab.kube;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * kubectl's column output ({@code kubectl get}) read back into rows: each header starts a column, a
 * cell runs from its header's start to the next header's start. Headers never contain spaces, cells
 * here never do either.
 *
 * @param headers the column headers, left to right
 * @param rows one map per row from header to cell text ({@code <none>} as kubectl printed it)
 */
public record TextTable(List<String> headers, List<Map<String, String>> rows) {

  public static TextTable parse(String output) {
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    if (lines.isEmpty()) {
      return new TextTable(List.of(), List.of());
    }
    String header = lines.get(0);
    List<String> headers = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < header.length(); i++) {
      if (header.charAt(i) != ' ' && (i == 0 || header.charAt(i - 1) == ' ')) {
        int end = header.indexOf(' ', i);
        headers.add(header.substring(i, end < 0 ? header.length() : end));
        starts.add(i);
      }
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int c = 0; c < headers.size(); c++) {
        int from = Math.min(starts.get(c), line.length());
        int to =
            c + 1 < headers.size() ? Math.min(starts.get(c + 1), line.length()) : line.length();
        row.put(headers.get(c), line.substring(from, to).strip());
      }
      rows.add(row);
    }
    return new TextTable(List.copyOf(headers), List.copyOf(rows));
  }

  /** The row whose NAME is {@code name}. */
  public Optional<Map<String, String>> row(String name) {
    return rows.stream().filter(r -> name.equals(r.get("NAME"))).findFirst();
  }
}
