// Writes N realistic Airflow 3 DAG files (about 20 tasks each, shared helper imports) into a folder.
// Usage: node bench/gen-dags.mjs OUT_DIR N
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function generateDags(out, count) {
  const dags = path.join(out, 'dags');
  mkdirSync(path.join(dags, 'shared'), { recursive: true });
  writeFileSync(path.join(dags, 'shared', '__init__.py'), '');
  writeFileSync(
    path.join(dags, 'shared', 'settings.py'),
    [
      'import pendulum',
      '',
      'START = pendulum.datetime(2025, 1, 1, tz="UTC")',
      '',
      '',
      'def default_args(owner, retries=2):',
      '    return {"owner": owner, "retries": retries, "retry_delay": pendulum.duration(minutes=5)}',
      '',
      '',
      'def table_names(domain, count):',
      '    return [f"{domain}_table_{i:02d}" for i in range(count)]',
      '',
    ].join('\n'),
  );
  for (let i = 0; i < count; i++) writeFileSync(path.join(dags, `pipeline_${String(i).padStart(4, '0')}.py`), dagFile(i));
  return dags;
}

function dagFile(i) {
  const domain = ['orders', 'customers', 'billing', 'inventory', 'marketing'][i % 5];
  return `"""Generated ${domain} pipeline ${i} for dagship's benchmark."""
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, TaskGroup, task

from shared.settings import START, default_args, table_names


def _validate(table, **context):
    return {"table": table, "rows": len(table)}


with DAG(
    dag_id="${domain}_pipeline_${i}",
    schedule="@daily",
    start_date=START,
    catchup=False,
    default_args=default_args("${domain}-team"),
    tags=["${domain}", "generated"],
) as dag:
    start = EmptyOperator(task_id="start")
    done = EmptyOperator(task_id="done")
    with TaskGroup("extract") as extract:
        for table in table_names("${domain}", 6):
            BashOperator(task_id=f"extract_{table}", bash_command=f"echo extracting {table}")
    with TaskGroup("validate") as validate:
        for table in table_names("${domain}", 6):
            PythonOperator(task_id=f"validate_{table}", python_callable=_validate, op_kwargs={"table": table})

    @task
    def publish(partitions):
        return len(partitions)

    @task
    def partitions():
        return list(range(4))

    loads = [BashOperator(task_id=f"load_{n}", bash_command=f"echo load {n}") for n in range(3)]
    start >> extract >> validate >> loads >> publish(partitions()) >> done
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, n] = process.argv.slice(2);
  console.log(generateDags(out, Number(n ?? 50)));
}
