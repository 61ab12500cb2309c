package io.hookshard.tasks;

import io.dropwizard.core.setup.AdminEnvironment;
import io.dropwizard.servlets.tasks.Task;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves one of Hookshard's tasks at {@code /tasks/<name>}, as Dropwizard's TaskServlet would, except for what a
 * refusal is answered: 400 for a bad parameter (IllegalArgumentException), 409 for what the state forbids now (another
 * move or replay running: IllegalStateException), each with its message and an INFO line. TaskServlet answers every
 * exception 500 and logs it at ERROR with its stack trace, which is for failures, not for a mistyped range. The
 * mapping is exact, so it wins over TaskServlet's {@code /tasks/*}; the admin token filter, mapped to
 * {@code /tasks/*}, still guards it.
 */
public final class TaskEndpoint extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(TaskEndpoint.class);

    private final transient Task task;

    private TaskEndpoint(Task task) {
        this.task = task;
    }

    /** Registers {@code task} at its own path of the admin port. */
    public static void register(AdminEnvironment admin, Task task) {
        admin.addServlet("task-" + task.getName(), new TaskEndpoint(task)).addMapping("/tasks/" + task.getName());
    }

    /** A task is run by POST alone; any other method is answered 405 with the JSON error body of every endpoint. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if ("POST".equals(request.getMethod())) {
            doPost(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
        response.setHeader("Allow", "POST");
        response.setContentType("application/json");
        response.getWriter().print("{\"code\":\"method_not_allowed\",\"message\":\"a task is run by POST\","
                + "\"details\":[]}");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        try (PrintWriter output = response.getWriter()) {
            try {
                task.execute(parameters(request), output);
            } catch (IllegalArgumentException e) {
                refuse(response, output, HttpServletResponse.SC_BAD_REQUEST, e);
            } catch (IllegalStateException e) {
                refuse(response, output, HttpServletResponse.SC_CONFLICT, e);
            } catch (Exception e) {
                LOG.error("task {} failed", task.getName(), e);
                answer(response, output, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "failed: " + e.getMessage());
            }
        }
    }

    private void refuse(HttpServletResponse response, PrintWriter output, int status, Exception refusal) {
        LOG.info("task {} refused: {}", task.getName(), refusal.getMessage());
        answer(response, output, status, "refused: " + refusal.getMessage());
    }

    /** Once progress was sent the status is sent too (200); the last line then tells the outcome. */
    private static void answer(HttpServletResponse response, PrintWriter output, int status, String line) {
        if (!response.isCommitted()) {
            response.resetBuffer();
            response.setStatus(status);
        }
        output.println(line);
    }

    private static Map<String, List<String>> parameters(HttpServletRequest request) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        request.getParameterMap().forEach((name, values) -> parameters.put(name, Arrays.asList(values)));
        return parameters;
    }
}
