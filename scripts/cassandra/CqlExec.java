// Runs CQL statements against the local cluster and prints the rows, for checking by hand
// and in scripts. Uses the DataStax Java driver 3.x that cassandra-all already depends on
// (it is on the classpath that cluster.sh assembles), so it needs no Python and no install.
// cql.sh compiles it once into the version's cache dir.
//
//   java -cp CLASSPATH:CLASSES CqlExec HOST PORT CONSISTENCY USER PASS [STATEMENT...]
//
// With no STATEMENT, statements are read from stdin, separated by ';' at the end of a line.
// USER "" means no authentication. Exit status 1 on the first failed statement.
import com.datastax.driver.core.*;
import java.io.*;
import java.util.*;

public class CqlExec {
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: CqlExec HOST PORT CONSISTENCY USER PASS [STATEMENT...]");
            System.exit(2);
        }
        List<String> statements = new ArrayList<>();
        for (int i = 5; i < args.length; i++) statements.add(args[i]);
        if (statements.isEmpty()) statements = readStdin();

        Cluster.Builder b = Cluster.builder()
                .addContactPoint(args[0])
                .withPort(Integer.parseInt(args[1]))
                .withoutJMXReporting()
                .withoutMetrics()
                .withQueryOptions(new QueryOptions().setConsistencyLevel(ConsistencyLevel.valueOf(args[2])))
                .withSocketOptions(new SocketOptions().setReadTimeoutMillis(30000));
        if (!args[3].isEmpty()) b.withCredentials(args[3], args[4]);
        int status = 0;
        Cluster cluster = b.build();
        Session session;
        try {
            session = cluster.connect();
        } catch (RuntimeException e) {
            System.err.println("error: cannot connect to " + args[0] + ":" + args[1] + ": " + e.getMessage());
            cluster.close();
            System.exit(1);
            return;
        }
        try {
            for (String cql : statements) {
                try {
                    print(session.execute(cql));
                } catch (RuntimeException e) {
                    System.err.println("error: " + e.getMessage() + "\n  in: " + cql);
                    status = 1;
                    break;
                }
            }
        } finally {
            cluster.close();
        }
        System.exit(status);
    }

    static List<String> readStdin() throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        BufferedReader r = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = r.readLine()) != null; ) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("--")) continue;
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                out.add(cur.toString().trim().replaceAll(";$", ""));
                cur.setLength(0);
            }
        }
        if (cur.toString().trim().length() > 0) out.add(cur.toString().trim());
        return out;
    }

    static void print(ResultSet rs) {
        ColumnDefinitions defs = rs.getColumnDefinitions();
        if (defs.size() == 0) return;
        StringBuilder h = new StringBuilder();
        for (int i = 0; i < defs.size(); i++) h.append(i > 0 ? "\t" : "").append(defs.getName(i));
        System.out.println(h);
        int n = 0;
        for (Row row : rs) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < defs.size(); i++) {
                Object v = row.getObject(i);
                s.append(i > 0 ? "\t" : "").append(v == null ? "null" : v.toString());
            }
            System.out.println(s);
            n++;
        }
        System.out.println("(" + n + " rows)");
    }
}
