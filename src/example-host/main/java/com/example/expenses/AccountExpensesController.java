package com.example.expenses;

import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Example Corp's own API under {@code /api/accounts/}, which the removal's endpoints of the same prefix leave alone. */
@RestController
class AccountExpensesController {

    private final JdbcClient jdbc;

    AccountExpensesController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/api/accounts/{id}/expenses")
    Map<String, Object> expenses(@PathVariable long id) {
        return Map.of("accountId", id, "claims", jdbc.sql("select count(*) from expense_claim").query(Long.class).single());
    }
}
