package io.psaremoval.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.psaremoval.PlatformTest;
import io.psaremoval.account.Role;
import io.psaremoval.test.GeneratedAccount;
import io.psaremoval.test.PlatformFixtures;
import io.psaremoval.test.RemovalDriver;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.exception.NotFoundException;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.ClaimTaskCmd;
import org.camunda.bpm.engine.impl.cmd.CompleteTaskCmd;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandExecutor;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The engine's collision when two people close the same removal task at once (a locking failure, a permission or a
 * task gone) becomes a sentence, only when the task is indeed closed and only for the tasks of the removal's
 * processes. The collision itself is a race (see the process test of an approval and a withdrawal at once, whose
 * loser mostly meets the removal's own rule first); here the command behind the interceptor fails as the engine does
 * when it loses it, and the task's state is real.
 */
@PlatformTest
class TaskClosedMeanwhileTest {

    @Autowired
    ProcessEngine engine;
    @Autowired
    PlatformFixtures fixtures;
    @Autowired
    RemovalDriver driver;

    /** The interceptor in front of a command that fails with the given exception, as a lost collision does. */
    private TaskClosedMeanwhile failingWith(RuntimeException collision) {
        TaskClosedMeanwhile interceptor = new TaskClosedMeanwhile(
                (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration());
        interceptor.setNext(new CommandExecutor() {
            @Override
            public <T> T execute(Command<T> command) {
                throw collision;
            }
        });
        return interceptor;
    }

    @Test
    void theEngineRunsItInFrontOfEveryCommand() {
        assertThat(((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration())
                .getCustomPreCommandInterceptorsTxRequired()).hasAtLeastOneElementOfType(TaskClosedMeanwhile.class);
    }

    @Test
    void aRemovalTaskClosedMeanwhileIsSaidSoAndAnOpenOneKeepsTheEnginesException() {
        GeneratedAccount account = fixtures.create();
        String manager = fixtures.username(account, Role.MANAGER);
        ProcessInstance removal = driver.start(manager);
        Task open = engine.getTaskService().createTaskQuery().processInstanceId(removal.getId()).singleResult();
        OptimisticLockingException lockingFailure = new OptimisticLockingException("ENGINE-03005 Execution of "
                + "'UPDATE TaskEntity' failed. Entity was updated by another transaction concurrently.");

        assertThatThrownBy(() -> failingWith(lockingFailure).execute(new CompleteTaskCmd(open.getId(), Map.of())))
                .as("the task is still open: the engine's own exception").isSameAs(lockingFailure);

        engine.getRuntimeService().deleteProcessInstance(removal.getId(), "closed by another person meanwhile");
        AuthorizationException permissionGone = new AuthorizationException(manager, "TASK_WORK", "Task", open.getId());
        for (RuntimeException collision : new RuntimeException[] {lockingFailure, permissionGone}) {
            assertThatThrownBy(() -> failingWith(collision).execute(new CompleteTaskCmd(open.getId(), Map.of())))
                    .isInstanceOf(NotFoundException.class).hasCause(collision)
                    .hasMessageContaining("The task " + open.getId() + " was closed while you were completing it")
                    .hasMessageContaining("This request changed nothing");
        }
        assertThatThrownBy(() -> failingWith(lockingFailure).execute(new ClaimTaskCmd(open.getId(), manager)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("while you were claiming it");
        AuthorizationException guardsRefusal = new AuthorizationException("Only the person the task is assigned to ...");
        assertThatThrownBy(() -> failingWith(guardsRefusal).execute(new CompleteTaskCmd(open.getId(), Map.of())))
                .as("the guard's refusal stays a refusal").isSameAs(guardsRefusal);
    }

    @Test
    void aClosedStandAloneTaskKeepsTheEnginesException() {
        Task standAlone = engine.getTaskService().newTask();
        standAlone.setName("A host's own to-do");
        engine.getTaskService().saveTask(standAlone);
        engine.getTaskService().complete(standAlone.getId());
        OptimisticLockingException lockingFailure = new OptimisticLockingException("concurrently");

        assertThatThrownBy(() -> failingWith(lockingFailure).execute(new CompleteTaskCmd(standAlone.getId(), Map.of())))
                .isSameAs(lockingFailure);
    }

    @Test
    void aHostProcessesTaskKeepsTheEnginesExceptionEvenWhenClosed() {
        engine.getRepositoryService().createDeployment().name("a host's process")
                .addModelInstance("host-approval.bpmn", Bpmn.createExecutableProcess("HostApproval")
                        .camundaHistoryTimeToLive(1).startEvent().userTask("UserTask_Approve").endEvent().done())
                .deploy();
        ProcessInstance host = engine.getRuntimeService().startProcessInstanceByKey("HostApproval");
        Task task = engine.getTaskService().createTaskQuery().processInstanceId(host.getId()).singleResult();
        engine.getTaskService().complete(task.getId());
        OptimisticLockingException lockingFailure = new OptimisticLockingException("concurrently");

        assertThatThrownBy(() -> failingWith(lockingFailure).execute(new CompleteTaskCmd(task.getId(), Map.of())))
                .isSameAs(lockingFailure);
    }
}
