"""Demo data of the customers app: the records, then the OMD invoice export that goes with them."""

from customers.demo import omd, records


def load() -> str:
    return f"{records.load()}; {omd.load()}"
