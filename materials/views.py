"""Pages of the materials app: thin views over selectors and services."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from colleges.pages import CollegePageView
from core.pages import apply_service_errors, paginate, parse_id, parse_ids
from materials import selectors, services
from materials.downloads import material_file_response
from materials.forms import FileReplaceForm, MaterialFilterForm, MaterialForm
from materials.models import Kind, Section
from materials.permissions import (
    can_edit_material,
    can_post_documents,
    can_post_materials,
    can_replace_material_file,
    can_view_materials,
)
from materials.validators import human_size

PAGE_SIZE = 20
NOT_A_MEMBER_MESSAGE = "Материалы доступны участникам колледжа."
TOO_BIG_REQUEST_MESSAGE = "Файл слишком большой: можно загрузить не больше {limit}."


class CollegeMaterialsPage(CollegePageView):
    """A page of the current college's materials: its members."""

    allowed = can_view_materials
    denied_message = NOT_A_MEMBER_MESSAGE


class _MaterialListBase(CollegeMaterialsPage):
    section = Section.LEARNING
    template_name = "materials/material_list.html"

    def context(self, request, *, group=None, discipline=None, **extra):
        filters = MaterialFilterForm(request.GET or None)
        kind = search = ""
        if filters.is_valid():
            kind = filters.cleaned_data["kind"]
            search = filters.cleaned_data["q"].strip()
        qs = selectors.material_list(
            viewer=request.user,
            college=self.college,
            section=self.section,
            group=group,
            discipline=discipline,
            kind=kind,
            search=search,
        )
        page = paginate(request, qs, PAGE_SIZE)
        user = request.user
        can_create = (
            can_post_documents(user, self.college)
            if self.section == Section.DOCUMENTS
            else can_post_materials(user, self.college)
        )
        create_url = reverse("materials:create")
        if self.section == Section.DOCUMENTS:
            create_url += "?section=documents"
        return {
            "page_obj": page,
            "materials": page.object_list,
            "filters": filters,
            "filtered": bool(kind or search),
            "section": self.section,
            "group": group,
            "discipline": discipline,
            "can_create": can_create,
            "create_url": create_url,
            "unseen_notices": selectors.material_notice_unseen_count(user=user, college=self.college),
            "browsable_groups": selectors.browsable_groups(user=user, college=self.college)
            if self.section == Section.LEARNING and group is None
            else [],
            **extra,
        }


class MaterialListView(_MaterialListBase):
    def get(self, request):
        return render(request, self.template_name, self.context(request))


class DocumentListView(_MaterialListBase):
    section = Section.DOCUMENTS

    def get(self, request):
        return render(request, self.template_name, self.context(request))


class MaterialGroupView(_MaterialListBase):
    """One group's materials, optionally one discipline of it."""

    lookup = selectors.material_group_get_for
    lookup_user = "user"

    def get(self, request, pk):
        group = self.object
        disciplines = list(selectors.group_disciplines(group=group))
        discipline = None
        wanted = request.GET.get("discipline", "")
        if wanted:
            discipline = next((d for d in disciplines if str(d.pk) == wanted), None)
            if discipline is None:
                raise Http404
        return render(
            request,
            self.template_name,
            self.context(request, group=group, discipline=discipline, disciplines=disciplines),
        )


class _MaterialFormBase(CollegeMaterialsPage):
    template_name = "materials/material_form.html"

    def render_form(self, request, form, *, material=None, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "material": material,
                "section": form.section,
                "upload_url": reverse("materials:upload"),
                "upload_ids": request.POST.getlist("upload_ids") if request.method == "POST" else [],
                "targets": selectors.teacher_targets(user=request.user, college=self.college),
            },
            status=status,
        )

    def staged_ids(self, request, form) -> list[int] | None:
        """Uploads made by the page's script, plus any files posted with the form itself (no script)."""
        ids = parse_ids(request.POST.getlist("upload_ids"), name="upload_ids")
        for uploaded in request.FILES.getlist("files"):
            try:
                ids.append(services.material_file_stage(actor=request.user, college=self.college, uploaded=uploaded).pk)
            except ValidationError as exc:
                form.add_error("files", exc.messages)
                return None
        return ids


class MaterialCreateView(_MaterialFormBase):
    def section(self, request) -> str:
        return Section.DOCUMENTS if request.GET.get("section") == Section.DOCUMENTS else Section.LEARNING

    def check(self, request, section):
        if section == Section.DOCUMENTS:
            self.require(can_post_documents(request.user, self.college), services.NO_DOCUMENTS_PERMISSION_MESSAGE)
        else:
            self.require(can_post_materials(request.user, self.college), services.NO_POST_PERMISSION_MESSAGE)

    def get(self, request):
        section = self.section(request)
        self.check(request, section)
        initial = {}
        group = parse_id(request.GET.get("group"), name="group")
        if group is not None:
            initial["groups"] = [group]
        form = MaterialForm(user=request.user, college=self.college, section=section, initial=initial)
        return self.render_form(request, form)

    def post(self, request):
        section = self.section(request)
        self.check(request, section)
        form = MaterialForm(request.POST, user=request.user, college=self.college, section=section)
        if form.is_valid():
            upload_ids = self.staged_ids(request, form)
            if upload_ids is not None:
                data = form.cleaned_data
                publish = request.POST.get("action") == "publish"
                try:
                    material = services.material_create(
                        actor=request.user,
                        college=self.college,
                        section=section,
                        kind=data["kind"],
                        title=data["title"],
                        description=data["description"],
                        body=data["body"],
                        url=data["url"],
                        audience=data["audience"],
                        groups=data["groups"],
                        discipline=data["discipline"],
                        upload_ids=upload_ids,
                        publish=publish,
                        publish_at=data["publish_at"],
                    )
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                else:
                    if not publish:
                        messages.success(request, "Черновик сохранён. Его видите только вы и администрация.")
                    elif material.published_at > material.created_at:
                        messages.success(request, "Материал будет опубликован в назначенное время.")
                    else:
                        messages.success(request, "Материал опубликован.")
                    return redirect("materials:detail", pk=material.pk)
        return self.render_form(request, form, status=400)


class MaterialFileUploadView(CollegeMaterialsPage):
    """One file from the upload page's script: checked, stored, answered with its id for the form."""

    def post(self, request):
        self.require(can_post_materials(request.user, self.college), services.NO_POST_PERMISSION_MESSAGE)
        # Refuse a body larger than any limit before Django reads it to disk.
        largest = max(settings.MATERIALS_MAX_BYTES.values())
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > largest + 64 * 1024:
            return JsonResponse({"error": TOO_BIG_REQUEST_MESSAGE.format(limit=human_size(largest))}, status=400)
        uploaded = request.FILES.get("file")
        if uploaded is None:
            return JsonResponse({"error": "Выберите файл."}, status=400)
        try:
            record = services.material_file_stage(actor=request.user, college=self.college, uploaded=uploaded)
        except ValidationError as exc:
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)
        return JsonResponse(
            {"id": record.pk, "name": record.original_name, "size": record.size, "kind": record.kind}, status=201
        )


class MaterialPage(CollegeMaterialsPage):
    """A page of one material the viewer may see (404 for any other)."""

    lookup = selectors.material_get_for
    lookup_user = "user"


class MaterialChangePage(MaterialPage):
    """A change to one material: whoever may edit it."""

    allowed_on = can_edit_material
    denied_on_message = services.NO_EDIT_PERMISSION_MESSAGE


class MaterialDetailView(MaterialPage):
    def get(self, request, pk):
        material = self.object
        can_edit = can_edit_material(request.user, material)
        return render(
            request,
            "materials/material_detail.html",
            {
                "material": material,
                "can_edit": can_edit,
                "versions": selectors.material_file_versions(material=material) if can_edit else [],
            },
        )


class MaterialUpdateView(MaterialChangePage, _MaterialFormBase):
    def get(self, request, pk):
        material = self.object
        form = MaterialForm(
            user=request.user,
            college=self.college,
            section=material.section,
            editing=material,
            initial={
                "title": material.title,
                "description": material.description,
                "body": material.body,
                "url": material.url,
                "audience": material.audience,
                "groups": list(material.groups.all()),
                "discipline": material.discipline,
            },
        )
        return self.render_form(request, form, material=material)

    def post(self, request, pk):
        material = self.object
        form = MaterialForm(
            request.POST, user=request.user, college=self.college, section=material.section, editing=material
        )
        if form.is_valid():
            upload_ids = self.staged_ids(request, form)
            if upload_ids is not None:
                data = form.cleaned_data
                try:
                    services.material_update(
                        actor=request.user,
                        material=material,
                        title=data["title"],
                        description=data["description"],
                        body=data["body"],
                        url=data["url"],
                        audience=data["audience"],
                        groups=data["groups"],
                        discipline=data["discipline"],
                        upload_ids=upload_ids,
                    )
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, "Изменения сохранены.")
                    return redirect("materials:detail", pk=material.pk)
        return self.render_form(request, form, material=material, status=400)


class MaterialPublishView(MaterialChangePage):
    def post(self, request, pk):
        material = self.object
        services.material_publish(actor=request.user, material=material)
        messages.success(request, "Материал опубликован.")
        return redirect("materials:detail", pk=material.pk)


class MaterialUnpublishView(MaterialChangePage):
    def post(self, request, pk):
        material = self.object
        services.material_unpublish(actor=request.user, material=material)
        messages.success(request, "Материал снят с публикации и стал черновиком.")
        return redirect("materials:detail", pk=material.pk)


class MaterialPinView(MaterialChangePage):
    def post(self, request, pk):
        material = self.object
        pinned = request.POST.get("pinned", "1") == "1"
        services.material_pin(actor=request.user, material=material, pinned=pinned)
        messages.success(request, "Материал закреплён." if pinned else "Материал откреплён.")
        return redirect("materials:detail", pk=material.pk)


class MaterialDeleteView(MaterialChangePage):
    """Asks for confirmation, then deletes the material with every version of its files."""

    def get(self, request, pk):
        material = self.object
        return render(request, "materials/material_confirm_delete.html", {"material": material})

    def post(self, request, pk):
        material = self.object
        section = material.section
        services.material_delete(actor=request.user, material=material)
        messages.success(request, f"Материал «{material.title}» удалён.")
        return redirect("materials:documents" if section == Section.DOCUMENTS else "materials:list")


class MaterialFileDownloadView(CollegeMaterialsPage):
    """The only way to a stored file: permission checked, counted, with the readable original name."""

    lookup = selectors.material_file_get_for
    lookup_user = "user"

    def get(self, request, pk):
        file = self.object
        inline = request.GET.get("inline") == "1" and file.kind == Kind.VIDEO
        response = material_file_response(file, as_attachment=not inline)
        if file.material_id is not None:
            services.material_file_register_download(file=file)
        return response


class MaterialFileReplaceView(CollegeMaterialsPage):
    template_name = "materials/materialfile_replace.html"
    lookup = selectors.material_file_get_for
    lookup_user = "user"
    allowed_on = can_replace_material_file
    denied_on_message = services.NO_EDIT_PERMISSION_MESSAGE

    def get_object(self, pk):
        file = super().get_object(pk)
        if file.material is None:
            raise Http404  # an upload not yet attached to a material is replaced by uploading again
        return file

    def get(self, request, pk):
        file = self.object
        return render(request, self.template_name, {"file": file, "form": FileReplaceForm()})

    def post(self, request, pk):
        file = self.object
        form = FileReplaceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                new = services.material_file_replace(actor=request.user, file=file, uploaded=form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(request, f"Загружена версия {new.version} файла «{new.original_name}».")
                return redirect("materials:detail", pk=file.material_id)
        return render(request, self.template_name, {"file": file, "form": form}, status=400)


class MaterialNoticeListView(CollegeMaterialsPage):
    """«Новые материалы»: what was published for me; opening the page marks them seen."""

    def get(self, request):
        page = paginate(request, selectors.material_notice_list(user=request.user, college=self.college), PAGE_SIZE)
        unseen = {notice.pk for notice in page.object_list if notice.seen_at is None}
        services.material_notices_mark_seen(user=request.user, college=self.college)
        return render(request, "materials/materialnotice_list.html", {"page_obj": page, "unseen": unseen})
