package io.ember.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TablesTest {
    @Test
    void aListBecomesOneTableWithAColumnPerFieldAndScalarsATwoColumnOne() throws Exception {
        var tree = Output.MAPPER.readTree("{\"nextToken\":\"t1\",\"items\":[{\"microvmId\":\"mvm-a\",\"state\":\"RUNNING\"},"
                + "{\"microvmId\":\"mvm-bb\",\"state\":\"SUSPENDED\",\"imageVersion\":\"2\"}]}");

        assertThat(String.join("\n", Tables.render(tree))).isEqualTo("""
                +-----------+----+
                | nextToken | t1 |
                +-----------+----+
                ITEMS
                +-----------+-----------+--------------+
                | microvmId | state     | imageVersion |
                +-----------+-----------+--------------+
                | mvm-a     | RUNNING   |              |
                | mvm-bb    | SUSPENDED | 2            |
                +-----------+-----------+--------------+""");
    }
}
