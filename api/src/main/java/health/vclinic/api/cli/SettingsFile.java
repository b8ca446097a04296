package health.vclinic.api.cli;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The service's settings file ({@code --config FILE}, YAML or properties, read with Helidon Config): one
 * section per command, one dash-case key per option, the option's long name without its dashes.
 * <pre>
 * serve:
 *   port: 8080
 *   imaging-max-batch: 16
 * </pre>
 * A value in the file replaces the option's built-in default; a flag on the command line still wins.
 * Every key and its default is the command's {@code --help}. A key that is not an option of its command
 * is refused, naming the key, so a misspelt limit never silently falls back to its default.
 */
final class SettingsFile implements CommandLine.IDefaultValueProvider {

    /** The option that names the file; it is read before the command line is parsed. */
    static final String OPTION = "--config";

    private final Config config;

    private SettingsFile(Config config) {
        this.config = config;
    }

    /** The file named by {@value #OPTION} in {@code args}, if any. */
    static Optional<Path> named(String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(OPTION) && i + 1 < args.length) {
                return Optional.of(Path.of(args[i + 1]));
            }
            if (args[i].startsWith(OPTION + "=")) {
                return Optional.of(Path.of(args[i].substring(OPTION.length() + 1)));
            }
        }
        return Optional.empty();
    }

    /**
     * Reads {@code file} and checks every key against the options of {@code root}'s subcommands.
     *
     * @throws CommandLine.ParameterException naming the file and the first unknown key
     */
    static SettingsFile read(Path file, CommandLine root) {
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(root, "settings file " + file + " does not exist");
        }
        Config config;
        try {
            config = Config.just(ConfigSources.file(file));
            config.traverse().count(); // parse now, not at first use
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(root, "settings file " + file + " is not valid YAML or properties");
        }
        for (Config section : config.asNodeList().orElse(List.of())) {
            CommandLine command = root.getSubcommands().get(section.name());
            if (command == null) {
                throw new CommandLine.ParameterException(root, "unknown section '" + section.name() + "' in " + file
                        + "; sections are commands: " + new TreeSet<>(root.getSubcommands().keySet()));
            }
            Set<String> keys = keys(command.getCommandSpec());
            for (Config key : section.asNodeList().orElse(List.of())) {
                if (!keys.contains(key.name()) || !key.isLeaf()) {
                    throw new CommandLine.ParameterException(root, "unknown setting '" + section.name() + "."
                            + key.name() + "' in " + file + "; settings of " + section.name() + ": " + keys);
                }
            }
        }
        return new SettingsFile(config);
    }

    private static Set<String> keys(CommandSpec spec) {
        Set<String> keys = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            if (!o.usageHelp() && !o.versionHelp() && !o.longestName().equals(OPTION)) {
                keys.add(key(o));
            }
        }
        return keys;
    }

    private static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.command() == null || option.command().parent() == null) {
            return null;
        }
        Config value = config.get(option.command().name()).get(key(option));
        return value.exists() ? value.asString().orElse(null) : null;
    }
}
