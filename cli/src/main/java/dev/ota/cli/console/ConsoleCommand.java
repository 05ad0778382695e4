package dev.ota.cli.console;

import dev.ota.cli.CliException;
import dev.ota.cli.ExitCodes;
import dev.ota.cli.OtaCli;
import dev.ota.cli.Subcommand;
import java.awt.Desktop;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "console",
        description = {
            "Serve the operator console (fleet, firmware, jobs, devices) on 127.0.0.1 and open it in the browser. "
                    + "The page's calls go through this process to the management API, signed with SigV4 exactly as the "
                    + "other commands sign them (--endpoint, --profile, --region). Runs until interrupted (Ctrl-C)."
        })
public final class ConsoleCommand extends Subcommand {

    @Option(
            names = "--port",
            paramLabel = "N",
            defaultValue = "0",
            description = "Port on 127.0.0.1 (default: a free one).")
    int port;

    @Option(names = "--no-open", description = "Print the URL only; do not open a browser.")
    boolean noOpen;

    @Override
    public Integer call() throws Exception {
        OtaCli root = root();
        ConsoleServer server;
        try {
            server = ConsoleServer.start(root::api, port);
        } catch (IOException e) {
            throw new CliException(ExitCodes.CONFIG, "cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
        }
        URI url = server.sessionUrl();
        root.environment().out().println("ota console: " + url);
        root.environment().out().println("(only this URL opens a session; Ctrl-C stops the console)");
        if (!noOpen) {
            open(root, url);
        }
        try {
            server.awaitStop();
        } finally {
            server.close();
        }
        return ExitCodes.OK;
    }

    private static void open(OtaCli root, URI url) {
        try {
            if (!GraphicsEnvironment.isHeadless()
                    && Desktop.isDesktopSupported()
                    && Desktop.getDesktop().isSupported(Desktop.Action.BROWSE)) {
                Desktop.getDesktop().browse(url);
                return;
            }
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            String[] command = os.contains("mac")
                    ? new String[] {"open", url.toString()}
                    : os.contains("win")
                            ? new String[] {"rundll32", "url.dll,FileProtocolHandler", url.toString()}
                            : new String[] {"xdg-open", url.toString()};
            new ProcessBuilder(command).inheritIO().start();
        } catch (IOException | UnsupportedOperationException e) {
            root.environment()
                    .err()
                    .println("ota: could not open a browser (" + e.getMessage() + "); open the URL above");
        }
    }
}
