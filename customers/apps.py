from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from dealership_cs.navigation import NavItem, register
        from dealership_cs.permissions import Role

        staff, agent, manager, admin = (r.value for r in (Role.CS_STAFF, Role.CALLBACK_AGENT, Role.MANAGER, Role.ADMIN))
        section = _("Customer records")
        register(
            NavItem(
                key="customers",
                label=_("Customers"),
                url_name="customers:customer_list",
                section=section,
                description=_("Find a customer by name, phone, VIN, plate or invoice number."),
                perms=("customers.view_customer",),
                home_roles=(staff, agent, manager, admin),
                order=100,
            ),
            NavItem(
                key="archive_new",
                label=_("Enter a closed-deal archive"),
                url_name="customers:archive_create",
                section=section,
                description=_("The buyer, the car and the invoice a consultant hands in."),
                perms=("customers.add_salesarchive",),
                home_roles=(staff,),
                order=110,
            ),
            NavItem(
                key="archives",
                label=_("Closed-deal archives"),
                url_name="customers:archive_list",
                section=section,
                description=_("Archives by delivery month and consultant."),
                perms=("customers.view_salesarchive",),
                home_roles=(staff, manager),
                order=120,
            ),
            NavItem(
                key="vehicles",
                label=_("Vehicles"),
                url_name="customers:vehicle_list",
                section=section,
                description=_("Cars by VIN, plate and model."),
                perms=("customers.view_vehicle",),
                home_roles=(staff,),
                order=130,
            ),
            NavItem(
                key="visits",
                label=_("Service visits"),
                url_name="customers:visit_list",
                section=section,
                description=_("Repair orders and when the car left the workshop."),
                perms=("customers.view_servicevisit",),
                home_roles=(staff,),
                order=140,
            ),
            NavItem(
                key="data_quality",
                label=_("Data quality"),
                url_name="customers:data_quality",
                section=section,
                description=_("Phones shared by several customers."),
                perms=("customers.change_customer",),
                home_roles=(staff, admin),
                order=150,
            ),
            NavItem(
                key="phone_corrections",
                label=_("Phone corrections"),
                url_name="customers:phonecorrection_list",
                section=section,
                description=_("Numbers agents found wrong on calls, waiting to be applied."),
                perms=("customers.view_phonecorrection",),
                home_roles=(staff, agent),
                order=160,
            ),
            NavItem(
                key="ledger_import",
                label=_("Import archive ledger"),
                url_name="customers:ledger_import",
                section=section,
                description=_("Load closed-deal archives from an Excel or CSV ledger."),
                perms=("customers.add_salesarchive",),
                home_roles=(staff, admin),
                order=170,
            ),
            NavItem(
                key="visit_import",
                label=_("Import repair orders"),
                url_name="customers:visit_import",
                section=section,
                description=_("Load service visits from the dealer management system's repair-order export."),
                perms=("customers.add_servicevisit",),
                home_roles=(staff, admin),
                order=175,
            ),
            NavItem(
                key="omd_invoices",
                label=_("OMD invoices"),
                url_name="customers:omdinvoice_list",
                section=section,
                description=_("Invoice records as the manufacturer's OMD system holds them."),
                perms=("customers.view_omdinvoice",),
                home_roles=(staff, manager),
                order=180,
            ),
            NavItem(
                key="discrepancies",
                label=_("Discrepancy desk"),
                url_name="customers:discrepancy_list",
                section=section,
                description=_("Archives that disagree with OMD: assign, note, resolve."),
                perms=("customers.view_discrepancy",),
                home_roles=(staff, manager),
                order=190,
            ),
            NavItem(
                key="omd_imports",
                label=_("OMD imports"),
                url_name="customers:omdimport_list",
                section=_("Administration"),
                description=_("Upload the OMD invoice exports; check, then import."),
                perms=("customers.add_omdimport",),
                home_roles=(admin,),
                order=930,
            ),
        )
