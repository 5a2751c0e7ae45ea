package harness;

import java.io.*;
import java.util.*;

// Test-fixture generator: prints what java.util.Properties.load makes of a
// file, one "key" -> "value" pair per line, sorted, non-ASCII as \\uXXXX.
public class Props {
  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') b.append('\\').append(ch);
      else if (ch < 0x20 || ch > 0x7e) b.append(String.format("\\u%04x", (int) ch));
      else b.append(ch);
    }
    return b.append('"').toString();
  }
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    try (InputStream in = new FileInputStream(args[0])) { p.load(in); }
    catch (Exception e) { System.out.println("ERROR " + e); return; }
    TreeMap<String, String> m = new TreeMap<>();
    for (String k : p.stringPropertyNames()) m.put(k, p.getProperty(k));
    for (Map.Entry<String, String> e : m.entrySet()) System.out.println(q(e.getKey()) + " " + q(e.getValue()));
  }
}
