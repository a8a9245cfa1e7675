package org.npid.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * Spark's own standalone master and workers, each its own JVM on the loopback address, started from
 * this test's class path: a real cluster on one machine without a Spark distribution. The workers'
 * executors get Spark, npid and their dependencies from the driver's {@code
 * spark.executor.extraClassPath} (see {@link #driverSettings}), since no worker has a {@code jars/}
 * folder of its own.
 */
final class StandaloneCluster implements AutoCloseable {
    /** How long a JVM may take to start and register: generous, the machine may be shared. */
    static final Duration START = Duration.ofMinutes(3);

    private static final Pattern MASTER_URL = Pattern.compile("spark://127\\.0\\.0\\.1:(\\d+)");

    private final Path dir;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final List<Path> workDirs = new ArrayList<>();
    private String url;

    /** Stops the JVMs should this test's JVM be stopped before its {@code @AfterAll} runs. */
    private final Thread onExit;

    private StandaloneCluster(Path dir, Process master) {
        this.dir = dir;
        this.master = master;
        this.onExit = new Thread(this::destroyAll, "stop the standalone cluster");
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /**
     * Starts a master and {@code workers} workers of one core and 1 GB each under {@code dir}
     * (logs, work folders); returns when every worker has registered with the master.
     */
    static StandaloneCluster start(Path dir, int workers) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("spark-home/jars"));
        Files.writeString(
                dir.resolve("log4j2.properties"),
                """
                rootLogger.level = warn
                rootLogger.appenderRef.out.ref = out
                appender.out.type = Console
                appender.out.name = out
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n
                logger.deploy.name = org.apache.spark.deploy
                logger.deploy.level = info
                """,
                StandardCharsets.UTF_8);
        StandaloneCluster cluster =
                new StandaloneCluster(
                        dir,
                        launch(
                                dir,
                                "master",
                                "org.apache.spark.deploy.master.Master",
                                "--host",
                                "127.0.0.1",
                                "--port",
                                "0",
                                "--webui-port",
                                "0"));
        try {
            Matcher m = cluster.await(dir.resolve("master.log"), MASTER_URL, "the master's URL");
            cluster.url = m.group();
            for (int i = 0; i < workers; i++) {
                Path work = Files.createDirectories(dir.resolve("work-" + i));
                cluster.workDirs.add(work);
                cluster.workers.add(
                        launch(
                                dir,
                                "worker-" + i,
                                "org.apache.spark.deploy.worker.Worker",
                                cluster.url,
                                "--host",
                                "127.0.0.1",
                                "--port",
                                "0",
                                "--webui-port",
                                "0",
                                "--cores",
                                "1",
                                "--memory",
                                "1g",
                                "--work-dir",
                                work.toString()));
            }
            for (int i = 0; i < workers; i++) {
                cluster.await(
                        dir.resolve("worker-" + i + ".log"),
                        Pattern.compile("Successfully registered with master"),
                        "worker " + i + "'s registration");
            }
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** The master's URL, {@code spark://127.0.0.1:PORT}. */
    String url() {
        return url;
    }

    /**
     * What a driver on this cluster needs: executors that find Spark, npid and their dependencies
     * on this test's class path, and the loopback address for everything.
     */
    static Map<String, String> driverSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("spark.executor.extraClassPath", classPath());
        s.put("spark.executor.extraJavaOptions", "-Dai.djl.offline=true");
        s.put("spark.driver.host", "127.0.0.1");
        s.put("spark.driver.bindAddress", "127.0.0.1");
        // Jobs wait for every executor, so that both workers take part from the first task.
        s.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        s.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "180s");
        return s;
    }

    /**
     * The worker whose work folder holds executor {@code executorId} of application {@code appId}
     * (the worker that started it), or -1.
     */
    int workerOf(String appId, String executorId) {
        for (int i = 0; i < workDirs.size(); i++) {
            if (Files.isDirectory(workDirs.get(i).resolve(appId).resolve(executorId))) {
                return i;
            }
        }
        return -1;
    }

    /** Kills worker {@code i} and its executors at once, as when its machine is lost. */
    void kill(int i) {
        Process w = workers.get(i);
        w.descendants().forEach(ProcessHandle::destroyForcibly);
        w.destroyForcibly();
    }

    /** Whether worker {@code i}'s JVM still runs. */
    boolean alive(int i) {
        return workers.get(i).isAlive();
    }

    /** The last lines of every log of the cluster and its executors, for a failure's message. */
    String logs() {
        StringBuilder out = new StringBuilder();
        try (var files = Files.walk(dir)) {
            for (Path f :
                    files.filter(
                                    p ->
                                            p.toString().endsWith(".log")
                                                    || p.getFileName().toString().equals("stderr"))
                            .sorted()
                            .toList()) {
                out.append("\n--- ").append(f).append('\n').append(tail(f));
            }
        } catch (IOException e) {
            out.append("cannot list ").append(dir).append(": ").append(e.getMessage());
        }
        return out.toString();
    }

    /** Stops every JVM this cluster started, executors first, and waits for them to exit. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> all = destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run: it did the same.
        }
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException
                    | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("process " + p.pid() + " did not exit", e);
            }
        }
    }

    /** Kills every JVM of the cluster, executors first; returns them. */
    private List<ProcessHandle> destroyAll() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process w : workers) {
            w.descendants().forEach(all::add);
            all.add(w.toHandle());
        }
        all.add(master.toHandle());
        for (ProcessHandle p : all) {
            p.destroyForcibly();
        }
        return all;
    }

    /** The JVM of {@code main}, its output in {@code dir/name.log}. */
    private static Process launch(Path dir, String name, String main, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        cmd.add("-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties").toUri());
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(main);
        cmd.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve(name + ".log").toFile());
        // An empty jars folder stands for the distribution the workers do not have; executors
        // find everything on spark.executor.extraClassPath.
        pb.environment().put("SPARK_HOME", dir.resolve("spark-home").toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    /** This test JVM's class path: Spark, npid, the tests and every dependency. */
    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isEmpty() ? cp : System.getProperty("java.class.path");
    }

    /** The first match of {@code pattern} in {@code log}, waiting up to {@link #START}. */
    private Matcher await(Path log, Pattern pattern, String what) throws InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = pattern.matcher(read(log));
                if (m.find()) {
                    return m;
                }
            }
            if (!master.isAlive() || workers.stream().anyMatch(w -> !w.isAlive())) {
                throw new AssertionError(
                        "a JVM of the cluster exited while waiting for " + what + ":" + logs());
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "no " + what + " in " + log + " within " + START.toMinutes() + " min:" + logs());
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path f) {
        String s = read(f);
        return s.substring(Math.max(0, s.length() - 4000));
    }
}
