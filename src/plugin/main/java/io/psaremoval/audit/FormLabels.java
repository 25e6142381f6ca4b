package io.psaremoval.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.springframework.core.io.ClassPathResource;

/**
 * The words the removal's forms show for each choice, read from the forms the plugin deploys: per field key, each
 * value's label ("EXPORT_NOW" → "Export the account now"). The audit uses them so that an auditor reads what the
 * person chose in the words they saw, not the codes the process keeps.
 */
final class FormLabels {

    /** The build's zip of the repository's processes/ and forms/ (see the engine's ProcessResourceDeployer). */
    private static final String MODELS = "io/psaremoval/models.zip";

    private final Map<String, Map<String, String>> values = new HashMap<>();

    static FormLabels ofThePluginsForms() {
        FormLabels labels = new FormLabels();
        ObjectMapper json = new ObjectMapper();
        try (InputStream models = new ClassPathResource(MODELS, FormLabels.class.getClassLoader()).getInputStream();
             ZipInputStream zip = new ZipInputStream(models)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().endsWith(".form")) {
                    labels.read(json.readTree(zip.readAllBytes()).path("components"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the plugin's forms from " + MODELS, e);
        }
        return labels;
    }

    private void read(JsonNode components) {
        for (JsonNode component : components) {
            read(component.path("components"));
            String key = component.path("key").asText(null);
            if (key == null) {
                continue;
            }
            for (JsonNode option : component.path("values")) {
                values.computeIfAbsent(key, k -> new HashMap<>())
                        .putIfAbsent(option.path("value").asText(), option.path("label").asText());
            }
        }
    }

    /** The label of the chosen option, or the value itself for a text or a value no form offers. */
    String value(String key, String value) {
        return values.getOrDefault(key, Map.of()).getOrDefault(value, value);
    }
}
