package io.psaremoval.engine;

/**
 * Texts the plugin hands the engine fit the engine's columns: a task's name (255 characters) and description (4,000).
 * A longer text is cut, an ellipsis marking the cut, so that a long name never stops a removal.
 */
public final class EngineTexts {

    /** The characters of a task's name. */
    public static final int TASK_NAME = 255;
    /** The characters of a task's description. */
    public static final int TASK_DESCRIPTION = 4000;

    private EngineTexts() {
    }

    /** The text, or its first {@code characters - 1} characters and an ellipsis. */
    public static String fitted(String text, int characters) {
        return text.length() <= characters ? text : text.substring(0, characters - 1) + "…";
    }
}
