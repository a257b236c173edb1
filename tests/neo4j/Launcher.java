// A Neo4j Community server for trustgraph's tests and development, started in-process from
// Maven Central artifacts (no Docker, no download site):
//   java -cp CP Launcher.java PORT HOME [PAGE_CACHE_MB]
//
// Bolt on 127.0.0.1:PORT only, authentication off, a fresh HOME, small memory, no
// transaction-log preallocation, no usage reporting. Prints one ready line on stdout and shuts
// down cleanly on SIGTERM.
import java.nio.file.Path;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

public class Launcher {
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: java -cp CLASSPATH Launcher.java PORT HOME [PAGE_CACHE_MB]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path home = Path.of(args[1]);
        long pageCacheMb = args.length == 3 ? Long.parseLong(args[2]) : 128L;
        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
            .setConfig(GraphDatabaseSettings.pagecache_memory, pageCacheMb * 1024 * 1024)
            .setConfig(GraphDatabaseSettings.udc_enabled, false)
            .build();
        Runtime.getRuntime().addShutdownHook(new Thread(service::shutdown, "neo4j-shutdown"));
        service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME)
            .executeTransactionally("RETURN 1");
        System.out.println("NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();
        Thread.currentThread().join();
    }
}
