package io.swak.core.config;

import java.util.List;

/** A loaded, validated config file. */
public record AgentConfig(String file, AgentOptions agent, List<TaskConfig> tasks) { }
