package dev.nuri.cli;

import dev.nuri.engine.Engine;
import dev.nuri.model.ContextOverflowException;
import dev.nuri.text.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The history of a terminal chat, kept within the context: when the rendered conversation plus the reply budget
 * does not fit, the oldest user/assistant exchanges are dropped (the system message stays).
 */
final class ChatSession {
    private final Engine engine;
    private String system;
    private final List<ChatMessage> history = new ArrayList<>();

    ChatSession(Engine engine, String system) {
        this.engine = engine;
        this.system = system;
    }

    record Turn(int[] promptIds, int droppedMessages) {
    }

    /** Adds the user's message and returns the prompt ids for the reply, dropping old turns if needed. */
    Turn prepare(String userText, int maxNewTokens) {
        history.add(ChatMessage.user(userText));
        int context = engine.info().contextLength();
        int dropped = 0;
        while (true) {
            int[] ids = engine.encodeChat(messages());
            if (ids.length + Math.min(maxNewTokens, context / 2) <= context) {
                return new Turn(ids, dropped);
            }
            if (history.size() <= 1) {
                history.clear();
                throw new ContextOverflowException(ids.length, Math.min(maxNewTokens, context / 2), context);
            }
            // drop the oldest exchange (a user message and the assistant reply after it)
            history.remove(0);
            dropped++;
            if (!history.isEmpty() && history.get(0).role().equals("assistant")) {
                history.remove(0);
                dropped++;
            }
        }
    }

    void answer(String assistantText) {
        history.add(ChatMessage.assistant(assistantText));
    }

    void reset() {
        history.clear();
    }

    void setSystem(String system) {
        this.system = system;
        history.clear();
    }

    List<ChatMessage> messages() {
        List<ChatMessage> all = new ArrayList<>();
        if (system != null) {
            all.add(ChatMessage.system(system));
        }
        all.addAll(history);
        return all;
    }
}
