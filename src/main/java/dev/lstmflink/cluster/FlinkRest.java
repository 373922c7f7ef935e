package dev.lstmflink.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A small client of Flink's REST API (the one the web UI and {@code flink run} use), with {@code java.net.http} and
 * Jackson: upload and run a jar, a job's state and where its subtasks run, its checkpoints and exceptions, cancel,
 * stop with a savepoint, and the TaskManagers. Errors carry Flink's own {@code errors} text.
 *
 * <p>Endpoints: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/ops/rest_api/
 */
public final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String baseUrl;
    private final HttpClient http;

    public FlinkRest(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** GET {@code path} (e.g. {@code /overview}) as JSON. */
    public JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** True when the REST endpoint answers {@code /overview}. */
    public boolean answers() {
        try {
            get("/overview");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code POST /jars/upload}: the jar's id on the cluster. */
    public String uploadJar(Path jar) throws IOException {
        String boundary = "----lstm-flink-" + UUID.randomUUID();
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + ": no such file");
        }
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        JsonNode r = send(HttpRequest.newBuilder(uri("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar), HttpRequest.BodyPublishers.ofByteArray(tail))));
        String file = r.path("filename").asText("");
        if (file.isEmpty()) {
            throw new IOException("POST /jars/upload of " + jar + ": no filename in the answer " + r);
        }
        return Path.of(file).getFileName().toString();
    }

    /**
     * {@code POST /jars/:id/run}: runs the jar's {@code main} in the JobManager, which submits the job.
     *
     * @param entryClass   null: the jar manifest's
     * @param parallelism  null: the program's or the cluster's default
     * @param savepoint    null, or a savepoint or retained checkpoint to start from
     * @return the job id
     */
    public String runJar(String jarId, String entryClass, List<String> args, Integer parallelism, String savepoint)
            throws IOException {
        ObjectNode req = JSON.createObjectNode();
        if (entryClass != null) {
            req.put("entryClass", entryClass);
        }
        req.putArray("programArgsList").addAll(args.stream().map(a -> JSON.getNodeFactory().textNode(a)).toList());
        if (parallelism != null) {
            req.put("parallelism", parallelism);
        }
        if (savepoint != null) {
            req.put("savepointPath", savepoint);
        }
        JsonNode r = post("/jars/" + jarId + "/run", req);
        String job = r.path("jobid").asText("");
        if (job.isEmpty()) {
            throw new IOException("POST /jars/" + jarId + "/run: no jobid in the answer " + r);
        }
        return job;
    }

    /** The job's state: CREATED, RUNNING, RESTARTING, FAILED, CANCELED, FINISHED... */
    public String jobState(String jobId) throws IOException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /**
     * True when the job is RUNNING and every subtask of every vertex is RUNNING (a job stays RUNNING while it waits
     * for slots after a failure; its tasks do not).
     */
    public boolean allTasksRunning(String jobId) throws IOException {
        JsonNode job = get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            int parallelism = v.path("parallelism").asInt();
            if (v.path("tasks").path("RUNNING").asInt() != parallelism) {
                return false;
            }
        }
        return true;
    }

    /** The TaskManager ids that run the job's subtasks, by vertex name then subtask index. */
    public Map<String, List<String>> taskLocations(String jobId) throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            List<String> tms = new ArrayList<>();
            for (JsonNode s : get("/jobs/" + jobId + "/vertices/" + v.path("id").asText()).path("subtasks")) {
                tms.add(s.path("taskmanager-id").asText());
            }
            out.put(v.path("name").asText(), tms);
        }
        return out;
    }

    /** {@code GET /jobs/:id/checkpoints}: counts, the latest completed, failed and restored checkpoint. */
    public JsonNode checkpoints(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /** {@code GET /jobs/:id/exceptions}: the failures the job went through (root causes, newest first). */
    public JsonNode exceptions(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/exceptions");
    }

    /** {@code PATCH /jobs/:id?mode=cancel}. */
    public void cancel(String jobId) throws IOException {
        send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }

    /**
     * {@code POST /jobs/:id/stop}: stops the job with a canonical savepoint in {@code targetDir} (null: the cluster's
     * {@code execution.checkpointing.savepoint-dir}) and waits for it.
     *
     * @return the savepoint's location
     */
    public String stopWithSavepoint(String jobId, String targetDir, Duration timeout)
            throws IOException, InterruptedException {
        ObjectNode req = JSON.createObjectNode();
        if (targetDir != null) {
            req.put("targetDirectory", targetDir);
        }
        req.put("drain", false);
        req.put("formatType", "CANONICAL");
        String trigger = post("/jobs/" + jobId + "/stop", req).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode s = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(s.path("status").path("id").asText())) {
                JsonNode op = s.path("operation");
                if (op.has("failure-cause")) {
                    throw new IOException("stop-with-savepoint of job " + jobId + " failed: "
                            + op.path("failure-cause").path("stack-trace").asText(op.toString()));
                }
                return op.path("location").asText();
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("stop-with-savepoint of job " + jobId + " not done after "
                        + timeout.toSeconds() + " s: " + s);
            }
            Thread.sleep(200);
        }
    }

    /** The registered TaskManagers' ids. */
    public List<String> taskManagerIds() throws IOException {
        List<String> ids = new ArrayList<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            ids.add(tm.path("id").asText());
        }
        return ids;
    }

    /** {@code GET /jobs/overview}: every job's id, name and state. */
    public JsonNode jobs() throws IOException {
        return get("/jobs/overview");
    }

    private JsonNode post(String path, JsonNode body) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException {
        HttpRequest r = request.timeout(TIMEOUT).build();
        HttpResponse<String> response;
        try {
            response = http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(r.method() + " " + r.uri() + " interrupted", e);
        }
        String text = response.body();
        JsonNode json = text == null || text.isBlank() ? JSON.createObjectNode() : parse(r, text);
        if (response.statusCode() >= 300) {
            JsonNode errors = json.path("errors");
            throw new IOException(r.method() + " " + r.uri() + ": HTTP " + response.statusCode() + ": "
                    + (errors.isMissingNode() ? text : errors.toString()));
        }
        return json;
    }

    private static JsonNode parse(HttpRequest r, String text) throws IOException {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IOException(r.method() + " " + r.uri() + ": not JSON: " + text, e);
        }
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }
}
