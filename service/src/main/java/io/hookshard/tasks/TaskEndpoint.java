package io.hookshard.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.core.setup.AdminEnvironment;
import io.dropwizard.servlets.tasks.Task;
import io.hookshard.errors.AlreadyRunning;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves one of Hookshard's tasks at {@code /tasks/<name>}, as Dropwizard's TaskServlet would, except for what a
 * refusal is answered: 400 for a bad parameter (IllegalArgumentException), 409 for what the state forbids now (another
 * move or replay running: {@link AlreadyRunning}), each with its message and an INFO line. TaskServlet answers every
 * exception 500 and logs it at ERROR with its stack trace, which is for failures, not for a mistyped range. The
 * mapping is exact, so it wins over TaskServlet's {@code /tasks/*}; the admin token filter, mapped to
 * {@code /tasks/*}, still guards it. Unlike TaskServlet, this honours no metric annotation on a task.
 */
public final class TaskEndpoint extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(TaskEndpoint.class);

    private final transient Task task;

    private TaskEndpoint(Task task) {
        this.task = task;
    }

    /**
     * Registers {@code task} at its own path of the admin port, and with TaskServlet as well, which then lists it at
     * {@code GET /tasks} but never runs it: the exact path wins over TaskServlet's {@code /tasks/*}.
     */
    public static void register(AdminEnvironment admin, Task task) {
        admin.addTask(task);
        admin.addServlet("task-" + task.getName(), new TaskEndpoint(task)).addMapping("/tasks/" + task.getName());
    }

    /** A task nobody registered is answered 404 with a JSON body that names it (see {@link UnknownTaskFilter}). */
    public static void answerUnknownTasks(AdminEnvironment admin, ObjectMapper json) {
        admin.addFilter("unknown-task", new UnknownTaskFilter(json))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/tasks/*");
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
            } catch (Exception e) {
                int status = statusOf(e);
                if (status == HttpServletResponse.SC_INTERNAL_SERVER_ERROR) {
                    LOG.error("task {} failed", task.getName(), e);
                    answer(response, output, status, "failed: " + e.getMessage());
                } else {
                    LOG.info("task {} refused: {}", task.getName(), e.getMessage());
                    answer(response, output, status, "refused: " + e.getMessage());
                }
            }
        }
    }

    /**
     * 400 for what the request got wrong (the tasks refuse their parameters with IllegalArgumentException), 409 while
     * the same operation runs elsewhere; anything else failed (a copy, a verification, a broker) and is a 500.
     */
    static int statusOf(Exception failure) {
        if (failure instanceof IllegalArgumentException) {
            return HttpServletResponse.SC_BAD_REQUEST;
        }
        return failure instanceof AlreadyRunning ? HttpServletResponse.SC_CONFLICT
                : HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
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
